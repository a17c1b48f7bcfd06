package org.sfkit.proxy.agent.bench;

import java.time.Instant;

/**
 * The smallest application: {@code agent-bench.sh} times the JVM start-up with and without the
 * agent around it. Given the launch time (epoch nanoseconds, {@code date +%s%N}), it prints how
 * many milliseconds passed until {@code main} ran: the agent's {@code premain} and the opening of
 * its jar, without the background start of the transport that competes for CPU afterwards.
 */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) {
        if (args.length == 1) {
            Instant now = Instant.now();
            long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            System.out.println((nanos - Long.parseLong(args[0])) / 1_000_000);
        }
    }
}
