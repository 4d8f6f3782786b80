package dev.asyncsocket.examples.bench;

import dev.asyncsocket.netty.NettyTransport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Collects the rounds' figures and presents them: one cell per round while running, medians and ratios
 * per workload, and at the end one markdown table per transport (medians with their spread, then the
 * ratios AsyncSocket / raw Netty and AsyncSocket / JDK, each the median of the rounds' ratios, checked
 * against the targets). Main thread.
 */
final class Report {

    private static final String PASS = "✓";
    private static final String MISS = "✗";

    /**
     * One line of a table: a figure of a workload, which way is better, and the targets, ratios of AsyncSocket's
     * figure to the other stack's (NaN where none is set).
     */
    private record Row(Workload workload, String label, String unit, ToDoubleFunction<RoundResult> value,
                       boolean higherIsBetter, double nettyTarget, double jdkTarget) {

        String format(double figure) {
            return higherIsBetter || figure >= 1000 ? String.format("%,.0f", figure) : String.format("%,.1f", figure);
        }

        boolean meets(double ratio, double target) {
            return higherIsBetter ? ratio >= target : ratio <= target;
        }
    }

    private final Options options;
    private final Map<NettyTransport, Map<Workload, Map<String, List<RoundResult>>>> results = new LinkedHashMap<>();
    private final List<String> stacks = new ArrayList<>();

    Report(Options options) {
        this.options = options;
    }

    void add(NettyTransport transport, Workload workload, String stack, RoundResult result) {
        if (!stacks.contains(stack)) {
            stacks.add(stack);
        }
        results.computeIfAbsent(transport, t -> new LinkedHashMap<>())
                .computeIfAbsent(workload, w -> new LinkedHashMap<>())
                .computeIfAbsent(stack, s -> new ArrayList<>())
                .add(result);
    }

    /** The figures of one round of one stack, for the progress output. */
    static String cell(Workload workload, String stack, RoundResult result) {
        StringBuilder cell = new StringBuilder(String.format("%s %,.0f %s", stack, result.rate(), workload.unit().label()));
        if (result.latency() != null) {
            cell.append(String.format(" (p50 %.1f us, p99 %.1f us)", result.latency().p50(), result.latency().p99()));
        }
        return cell.toString();
    }

    /** Medians, spread and ratios of one workload on one transport, for the progress output. */
    String workloadSummary(NettyTransport transport, Workload workload) {
        StringBuilder out = new StringBuilder();
        for (Row row : rows(workload)) {
            out.append(String.format("    %-22s", row.label + ", " + row.unit));
            for (String stack : stacks) {
                out.append(String.format(" | %s %s", stack, figure(transport, row, stack)));
            }
            out.append(String.format(" | vs raw Netty %s | vs JDK %s%n",
                    ratio(transport, row, RawNettyStack.NAME, row.nettyTarget),
                    ratio(transport, row, JdkStack.NAME, row.jdkTarget)));
        }
        return out.toString();
    }

    /** One table per transport, to paste into the README. */
    String markdown() {
        StringBuilder out = new StringBuilder();
        for (NettyTransport transport : results.keySet()) {
            out.append(String.format("%n#### %s%n%n", transport));
            out.append("| workload |");
            stacks.forEach(stack -> out.append(' ').append(stack).append(" |"));
            out.append(" AsyncSocket / raw Netty | AsyncSocket / JDK |\n|---|");
            stacks.forEach(stack -> out.append("--:|"));
            out.append("--:|--:|\n");
            for (Workload workload : results.get(transport).keySet()) {
                for (Row row : rows(workload)) {
                    out.append(String.format("| %s %s, %s |", workload, row.label, row.unit));
                    for (String stack : stacks) {
                        out.append(' ').append(figure(transport, row, stack)).append(" |");
                    }
                    out.append(String.format(" %s | %s |%n", ratio(transport, row, RawNettyStack.NAME, row.nettyTarget),
                            ratio(transport, row, JdkStack.NAME, row.jdkTarget)));
                }
            }
        }
        out.append(String.format("%nMedian of %d rounds of %d ms (after a %d ms warm-up) ± half the range between"
                        + " rounds. A ratio is the median of the rounds' ratios (each round runs the stacks back to back,"
                        + " so its ratio pairs figures taken under the same load) ± half their range. Targets (issue 14):"
                        + " A >= 1.0, B >= 1.10, D >= 1.0 of raw Netty, C latency <= 1.05; B >= 1.0 and D >= 0.8 of the"
                        + " JDK; B client CPU <= 0.9 and D allocation <= 2.0 of raw Netty. %s meets its target, %s misses"
                        + " it. Client CPU and allocation: CPU time and heap bytes of the client's thread per unit of work"
                        + " (lower is better; less disturbed by other load on the machine than the rates); user CPU is the"
                        + " part spent outside the kernel: the stack's own code, with the same system calls made.%n",
                options.rounds(), options.roundMillis(), options.warmupMillis(), PASS, MISS));
        return out.toString();
    }

    private static List<Row> rows(Workload workload) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row(workload, workload.title(), workload.unit().label(), RoundResult::rate, true,
                rateTarget(workload), workload == Workload.B ? 1.0 : workload == Workload.D ? 0.8 : Double.NaN));
        if (workload.measuresLatency()) {
            rows.add(new Row(workload, "latency p50", "us", r -> r.latency().p50(), false, 1.05, Double.NaN));
            rows.add(new Row(workload, "latency p99", "us", r -> r.latency().p99(), false, 1.05, Double.NaN));
            rows.add(new Row(workload, "latency p99.9", "us", r -> r.latency().p999(), false, Double.NaN,
                    Double.NaN));
        }
        rows.add(new Row(workload, "client CPU", workload.unit().cpuLabel(), RoundResult::cpuPerUnit, false,
                workload == Workload.B ? 0.9 : Double.NaN, Double.NaN));
        rows.add(new Row(workload, "client user CPU", workload.unit().cpuLabel(), RoundResult::userCpuPerUnit,
                false, Double.NaN, Double.NaN));
        rows.add(new Row(workload, "client allocation", "B/" + workload.unit().unitName(),
                RoundResult::allocatedPerUnit, false, workload == Workload.D ? 2.0 : Double.NaN, Double.NaN));
        return rows;
    }

    /** Issue 14's target for AsyncSocket / raw Netty on the workload's rate; NaN where it sets none. */
    private static double rateTarget(Workload workload) {
        switch (workload) {
            case A:
            case D:
                return 1.0;
            case B:
                return 1.10;
            default:
                return Double.NaN; // C's target is on latency; E has none
        }
    }

    private Summary summary(NettyTransport transport, Row row, String stack) {
        List<RoundResult> rounds = results.get(transport).get(row.workload).get(stack);
        if (rounds == null || rounds.isEmpty()) {
            return null;
        }
        List<Double> values = new ArrayList<>();
        rounds.forEach(round -> values.add(row.value.applyAsDouble(round)));
        return Summary.of(values);
    }

    private String figure(NettyTransport transport, Row row, String stack) {
        Summary summary = summary(transport, row, stack);
        return summary == null ? "-" : String.format("%s ±%.1f%%", row.format(summary.median()), summary.spreadPercent());
    }

    /**
     * AsyncSocket's figure over the baseline's, round by round, summarised. A round runs the stacks back to
     * back, so its ratio pairs figures taken under the same load on the machine: the median of the rounds'
     * ratios shrugs off a slow spell that a ratio of the two medians would charge to one stack.
     */
    private Summary pairedRatio(NettyTransport transport, Row row, String baseline) {
        List<RoundResult> subject = results.get(transport).get(row.workload).get(AsyncSocketStack.NAME);
        List<RoundResult> other = results.get(transport).get(row.workload).get(baseline);
        if (subject == null || other == null) {
            return null;
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(subject.size(), other.size()); i++) {
            double base = row.value.applyAsDouble(other.get(i));
            if (base != 0) {
                ratios.add(row.value.applyAsDouble(subject.get(i)) / base);
            }
        }
        return ratios.isEmpty() ? null : Summary.of(ratios);
    }

    private String ratio(NettyTransport transport, Row row, String baseline, double target) {
        Summary ratio = pairedRatio(transport, row, baseline);
        if (ratio == null) {
            return "-";
        }
        String figure = String.format("%.2f ±%.0f%%", ratio.median(), ratio.spreadPercent());
        return Double.isNaN(target) ? figure : figure + " " + (row.meets(ratio.median(), target) ? PASS : MISS);
    }
}
