package org.sfkit.proxy.agent.bench;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's two ingress paths against direct TCP, run by {@code agent/bench/agent-bench.sh}
 * inside a network namespace, in a JVM with the agent as party 0 and a peer proxy as party 1:
 * <ul>
 *   <li>{@code direct}: {@code java.net.Socket} to 127.0.0.1 (no agent involved), the baseline;
 *   <li>{@code in-memory}: {@code java.net.Socket} to 10.0.0.1, a pipe onto the QUIC stream;
 *   <li>{@code hand-off}: blocking {@code SocketChannel} to 10.0.0.1, handed to the agent's
 *       loopback listener and bridged to the QUIC stream.
 * </ul>
 * The tunnelled paths include the QUIC hop and the peer proxy's TCP connect to the service.
 * Prints per-connect cost (connect, one byte each way, close; median and mean) and throughput
 * (bytes to a sink until its one-byte acknowledgement after our FIN).
 */
public final class AgentPathsBench {
    /** Sequential connects measured per path, after as many again of warm-up (JIT, QUIC state). */
    private static final int CONNECTS = 300;
    /** Bytes per throughput run: large enough that the stream open is noise beside it. */
    private static final long TRANSFER_BYTES = 64L << 20;
    /** Rounds over all paths, each with a throughput run; the best run is reported (the machine is shared). */
    private static final int ROUNDS = 3;
    /** 64 KiB writes: the bridge's buffer size, so no path is favoured by its write size. */
    private static final int WRITE_SIZE = 64 * 1024;
    /** How long to wait for the peer proxy JVM to come up before the first measurement. */
    private static final long WARM_UP_MILLIS = 120_000;

    /** A socket's or a channel's streams, its half-close and its close. */
    private record Connection(InputStream in, OutputStream out, IoAction outputFinisher, IoAction closer)
            implements Closeable {
        void finishOutput() throws IOException {
            outputFinisher.run();
        }

        @Override
        public void close() throws IOException {
            closer.run();
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private enum Path {
        DIRECT {
            @Override
            Connection open(int port) throws IOException {
                return socket(new Socket(InetAddress.getLoopbackAddress(), port));
            }
        },
        IN_MEMORY {
            @Override
            Connection open(int port) throws IOException {
                return socket(new Socket(InetAddress.getByName("10.0.0.1"), port));
            }
        },
        HAND_OFF {
            @Override
            Connection open(int port) throws IOException {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), port));
                return new Connection(Channels.newInputStream(channel), Channels.newOutputStream(channel),
                        channel::shutdownOutput, channel::close);
            }
        };

        abstract Connection open(int port) throws IOException;

        static Connection socket(Socket socket) throws IOException {
            socket.setTcpNoDelay(true);
            return new Connection(socket.getInputStream(), socket.getOutputStream(), socket::shutdownOutput, socket::close);
        }
    }

    private AgentPathsBench() {
    }

    public static void main(String[] args) throws Exception {
        int echo = serve(AgentPathsBench::echoOneByte);
        int sink = serve(AgentPathsBench::sink);
        waitForPeer(echo);
        List<Path> paths = List.of(Path.DIRECT, Path.IN_MEMORY, Path.HAND_OFF);
        for (Path path : paths) {
            connects(path, echo, CONNECTS); // warm-up: JIT, QUIC state
        }
        // Rounds interleave the paths, so load from other processes on the machine hits all alike.
        Map<Path, long[]> micros = new EnumMap<>(Path.class);
        Map<Path, Double> best = new EnumMap<>(Path.class);
        for (int round = 0; round < ROUNDS; round++) {
            for (Path path : paths) {
                long[] more = connects(path, echo, CONNECTS / ROUNDS);
                micros.merge(path, more, AgentPathsBench::concat);
                best.merge(path, transfer(path, sink), Math::max);
            }
        }
        System.out.printf("%-10s %14s %14s %12s%n", "path", "connect p50 us", "connect avg us", "MB/s (best)");
        for (Path path : paths) {
            long[] all = micros.get(path);
            Arrays.sort(all);
            System.out.printf("%-10s %14d %14d %12.0f%n", path.name().toLowerCase().replace('_', '-'),
                    all[all.length / 2], (long) Arrays.stream(all).average().orElse(0), best.get(path));
        }
        System.exit(0);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static long[] connects(Path path, int port, int count) throws IOException {
        long[] micros = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            try (Connection c = path.open(port)) {
                c.out().write(1);
                if (c.in().read() != 1) {
                    throw new IOException("echo lost");
                }
            }
            micros[i] = (System.nanoTime() - start) / 1000;
        }
        return micros;
    }

    private static double transfer(Path path, int port) throws IOException {
        byte[] chunk = new byte[WRITE_SIZE];
        long start = System.nanoTime();
        try (Connection c = path.open(port)) {
            for (long sent = 0; sent < TRANSFER_BYTES; sent += chunk.length) {
                c.out().write(chunk);
            }
            c.finishOutput();
            if (c.in().read() != 1) {
                throw new IOException("no acknowledgement");
            }
        }
        return TRANSFER_BYTES / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    private static void waitForPeer(int port) throws Exception {
        long deadline = System.currentTimeMillis() + WARM_UP_MILLIS;
        while (true) {
            try {
                connects(Path.IN_MEMORY, port, 1);
                return;
            } catch (ConnectException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private interface Service {
        void serve(Socket socket) throws IOException;
    }

    private static int serve(Service service) throws IOException {
        ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    Socket socket = server.accept();
                    Thread worker = new Thread(() -> {
                        try (socket) {
                            service.serve(socket);
                        } catch (IOException ignored) {
                            // the client went away
                        }
                    });
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return server.getLocalPort();
    }

    private static void echoOneByte(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        socket.getOutputStream().write(socket.getInputStream().read());
        socket.getInputStream().read(); // until the client's close
    }

    private static void sink(Socket socket) throws IOException {
        byte[] buffer = new byte[WRITE_SIZE];
        InputStream in = socket.getInputStream();
        while (in.read(buffer) >= 0) {
            // count nothing: the sender times it
        }
        socket.getOutputStream().write(1);
    }
}
