package org.sfkit.proxy.bench;

/**
 * @param megabytesPerSecond payload bytes / 10^6 per second of wall time, all connections together
 * @param cpuSecondsPerGiB CPU time of the measured processes (both ends for in-process paths) per 2^30 payload bytes
 */
record Throughput(double megabytesPerSecond, double cpuSecondsPerGiB) {
}
