package dev.asyncsocket.examples.bench;

/**
 * The figures of one measured round: the rate in the workload's unit; the client thread's CPU time (all of it,
 * and the part in user mode, outside the kernel) and allocated bytes per unit of work (robust to other load on
 * the machine); latency where measured.
 */
record RoundResult(double rate, double cpuPerUnit, double userCpuPerUnit, double allocatedPerUnit, Latency latency) {
}
