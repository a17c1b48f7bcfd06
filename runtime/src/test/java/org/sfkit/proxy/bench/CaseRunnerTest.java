package org.sfkit.proxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The harness on real loopback TCP: cases succeed, and broken paths report instead of hanging. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaseRunnerTest {
    private static final long ONE_MIB = 1L << 20;
    private final CaseRunner runner = new CaseRunner(64 * 1024, Duration.ofSeconds(20));

    @ParameterizedTest(name = "{0} connections")
    @MethodSource("connectionCounts")
    void throughputOverTcpSucceedsAndCountsCpu(int connections) throws IOException {
        try (Fixture tcp = new TcpFixture()) {
            // Process CPU time comes in 10 ms ticks here (times()): 8 MiB over loopback TCP took
            // less than one on a quiet machine and read as 0. 128 MiB costs ~60 ms of CPU.
            Outcome<Throughput> outcome = runner.throughput(tcp, connections, 128 * ONE_MIB);

            assertThat(outcome.failure()).isNull();
            assertThat(outcome.value().megabytesPerSecond()).isPositive();
            assertThat(outcome.value().cpuSecondsPerGiB()).isPositive();
        }
    }

    static Stream<Integer> connectionCounts() {
        return Stream.of(1, Benchmark.PARALLEL_CONNECTIONS);
    }

    @Test
    void pingPongOverTcpReportsOrderedPercentiles() throws IOException {
        try (Fixture tcp = new TcpFixture()) {
            Outcome<Latency> outcome = runner.pingPong(tcp, 10, 200);

            assertThat(outcome.failure()).isNull();
            assertThat(outcome.value().medianMicros()).isPositive();
            assertThat(outcome.value().p99Micros()).isGreaterThanOrEqualTo(outcome.value().medianMicros());
        }
    }

    /** A path that loses or changes bytes must fail its case with an integrity error. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void corruptedPathReportsIntegrityError(String name, int connections, UnaryOperator<OutputStream> corruption,
                                            String expected) throws IOException {
        try (Fixture corrupting = new CorruptingFixture(new TcpFixture(), corruption)) {
            Outcome<Throughput> outcome = runner.throughput(corrupting, connections, 4 * ONE_MIB);

            assertThat(outcome.isOk()).isFalse();
            assertThat(outcome.failure()).startsWith("error:").contains(expected);
        }
    }

    static Stream<Arguments> corruptions() {
        UnaryOperator<OutputStream> dropLastByteOfFirstWrite = out -> new FilterOutputStream(out) {
            private int writes;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, writes++ == 1 ? len - 1 : len); // write 0 is the mode byte
            }
        };
        UnaryOperator<OutputStream> flipOneByte = out -> new FilterOutputStream(out) {
            private int writes;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
                if (writes++ == 1) {
                    copy[len / 2] ^= 0x01;
                }
                out.write(copy);
            }
        };
        return Stream.of(
                Arguments.of("one byte lost, 1 connection", 1, dropLastByteOfFirstWrite, "sink received"),
                Arguments.of("one byte lost, 8 connections", Benchmark.PARALLEL_CONNECTIONS, dropLastByteOfFirstWrite, "sink received"),
                Arguments.of("one bit flipped, 1 connection", 1, flipOneByte, "CRC-32 mismatch"));
    }

    /** A service that accepts and then never answers: the case must end as "timeout". */
    @Test
    void silentPathTimesOut() throws IOException {
        CaseRunner impatient = new CaseRunner(64 * 1024, Duration.ofSeconds(1));
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Fixture fixture = new Fixture() {
                 @Override
                 public Duplex connect() throws IOException {
                     return Duplex.of(new Socket(InetAddress.getLoopbackAddress(), silent.getLocalPort()));
                 }

                 @Override
                 public void close() {
                 }
             }) {
            assertThat(impatient.throughput(fixture, 1, ONE_MIB).failure()).isEqualTo("timeout");
            assertThat(impatient.pingPong(fixture, 0, 10).failure()).isEqualTo("timeout");
        }
    }

    @Test
    void failingStartIsReportedAsError() {
        Outcome<Fixture> outcome = runner.start(() -> {
            throw new IOException("no such engine here");
        });

        assertThat(outcome.failure()).isEqualTo("error: IOException: no such engine here");
    }

    /** Passes every connection's output through a corruption. */
    private record CorruptingFixture(Fixture inner, UnaryOperator<OutputStream> corruption) implements Fixture {
        @Override
        public Duplex connect() throws IOException {
            Duplex d = inner.connect();
            OutputStream corrupted = corruption.apply(d.out());
            return new Duplex() {
                @Override public InputStream in() { return d.in(); }
                @Override public OutputStream out() { return corrupted; }
                @Override public void finishOutput() throws IOException { d.finishOutput(); }
                @Override public void close() throws IOException { d.close(); }
            };
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
