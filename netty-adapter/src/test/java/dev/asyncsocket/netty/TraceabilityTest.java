package dev.asyncsocket.netty;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/traceability.md stays in step with the code: every requirement has a row, every row that is not N/A
 * names tests, and the test classes it names are those whose {@code Tests_} tags name the requirement.
 * Regenerate the table with {@code python3 docs/traceability.py}.
 */
class TraceabilityTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path SEED = ROOT.resolveSibling("shared").resolve("seed").resolve("000_fb7a2e0d3fd3d32c.txt");
    private static final Pattern REQUIREMENT = Pattern.compile("SRS_ASYNC_SOCKET_WIN32_(\\d+_\\d+)");
    private static final Pattern TESTS_TAG = Pattern.compile("Tests_SRS_ASYNC_SOCKET_WIN32_(\\d+_\\d+)");
    private static final Pattern ROW = Pattern.compile("^\\| SRS_ASYNC_SOCKET_WIN32_(\\d+_\\d+) \\|.*\\| ([^|]*) \\|$");

    @Test
    void everyRequirementOfTheSeedHasARowThatIsTestedOrNotApplicable() throws IOException {
        Map<String, String> rows = rows();
        Set<String> seed = new TreeSet<>();
        if (Files.exists(SEED)) {
            Matcher m = REQUIREMENT.matcher(Files.readString(SEED, StandardCharsets.UTF_8));
            while (m.find()) {
                seed.add(m.group(1));
            }
            assertEquals(seed, rows.keySet(), "the table lists exactly the seed's requirements");
        }
        Map<String, Set<String>> tagged = testClassesByRequirement();
        for (Map.Entry<String, String> row : rows.entrySet()) {
            if (row.getValue().startsWith("N/A")) {
                assertTrue(!tagged.containsKey(row.getKey()), row.getKey() + " is N/A yet a test names it");
                continue;
            }
            Set<String> listed = new TreeSet<>();
            for (String test : row.getValue().split("<br>")) {
                listed.add(test.substring(0, test.indexOf('#')));
            }
            assertEquals(tagged.getOrDefault(row.getKey(), Set.of()), listed,
                    row.getKey() + ": the table is out of step with the Tests_ tags; run python3 docs/traceability.py");
        }
    }

    private static Map<String, String> rows() throws IOException {
        Map<String, String> rows = new TreeMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs").resolve("traceability.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.put(m.group(1), m.group(2).trim());
            }
        }
        return rows;
    }

    private static Map<String, Set<String>> testClassesByRequirement() throws IOException {
        Map<String, Set<String>> tagged = new HashMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : (Iterable<Path>) files.filter(TraceabilityTest::isSource)::iterator) {
                String name = file.getFileName().toString().replace(".java", "");
                Matcher m = TESTS_TAG.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (m.find()) {
                    tagged.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(name);
                }
            }
        }
        return tagged;
    }

    private static boolean isSource(Path file) {
        String path = file.toString();
        return path.endsWith(".java") && path.contains("/src/") && !path.contains("/target/")
                && !file.getFileName().toString().equals("TraceabilityTest.java");
    }
}
