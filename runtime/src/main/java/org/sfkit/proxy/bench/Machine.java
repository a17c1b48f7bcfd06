package org.sfkit.proxy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line naming the machine, so numbers are never quoted without it. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        return "machine: " + Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), Java "
                + System.getProperty("java.version") + " " + System.getProperty("java.vm.name")
                + ", max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    /**
     * The 1-minute load average: numbers taken while other work ran (load above the CPU count)
     * are not comparable with a quiet machine's.
     */
    static String load() {
        return String.format("load average %.2f on %d CPUs", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown model");
        } catch (IOException e) {
            return "unknown model";
        }
    }
}
