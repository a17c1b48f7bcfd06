package org.sfkit.proxy.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/** CPU time used so far by a process (all its threads), in nanoseconds. */
final class ProcessCpu {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ProcessCpu() {
    }

    static long self() {
        return OS.getProcessCpuTime();
    }

    /** Another process's CPU time (Linux reads /proc; clock-tick granularity, 10 ms); 0 when gone. */
    static long of(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
