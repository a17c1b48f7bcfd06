package org.sfkit.proxy.agent.probe;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs in its own JVM (inside a network namespace, with or without the agent): starts services
 * on 127.0.0.1 and connects to {@code 10.0.0.<party>:<service port>} through one API per case,
 * printing one line per case:
 * {@code RESULT <case> ok <remote> served=<n> carried=<n> inMemory=<n>},
 * {@code RESULT <case> error <exception> connectException=<is one> carried=<n> inMemory=<n>} or
 * {@code RESULT <case> skipped <why>}; the counts are this case's own.
 *
 * <p>Usage: {@code ConnectProbe [warm-up=<party>] <API>:<party>:<echo|closed>...}; {@code closed}
 * aims at a port nothing listens on. A warm-up retries a plain connect until the peer proxy is
 * up (it starts beside this JVM), as an MPC tool retries its first connects.
 */
public final class ConnectProbe {
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);
    /** Connections the local services accepted: proof the connect arrived. */
    private static final AtomicInteger SERVED = new AtomicInteger();
    /** How long the warm-up waits for the peer proxy JVM (slow starts on a loaded two-core machine). */
    private static final long WARM_UP_MILLIS = 120_000;

    private ConnectProbe() {
    }

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            if (arg.startsWith("warm-up=")) {
                warmUp(InetAddress.getByName("10.0.0." + arg.substring("warm-up=".length())));
                continue;
            }
            String[] parts = arg.split(":");
            Api api = Api.valueOf(parts[0]);
            InetAddress party = InetAddress.getByName("10.0.0." + parts[1]);
            boolean closed = parts[2].equals("closed");
            int port = closed ? closedPort() : api.startService();
            int served = SERVED.get();
            long carried = carried("carriedConnects");
            long inMemory = carried("carriedInMemory");
            long start = System.nanoTime();
            String outcome;
            try {
                outcome = "ok " + api.connect(new InetSocketAddress(party, port)) + " served=" + (SERVED.get() - served);
            } catch (Skipped e) {
                System.out.println("RESULT " + arg + " skipped " + e.getMessage());
                continue;
            } catch (Throwable e) {
                outcome = "error " + e + " connectException=" + (e instanceof java.net.ConnectException);
            }
            System.out.println("RESULT " + arg + " " + outcome + " carried=" + delta(carried, "carriedConnects")
                    + " inMemory=" + delta(inMemory, "carriedInMemory") + " ms=" + (System.nanoTime() - start) / 1_000_000);
        }
        System.exit(0);
    }

    private static void warmUp(InetAddress party) throws Exception {
        int port = startEcho();
        long deadline = System.currentTimeMillis() + WARM_UP_MILLIS;
        while (true) {
            try {
                exchange(new Socket(party, port));
                return;
            } catch (java.net.ConnectException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static long delta(long before, String counter) {
        return before < 0 ? -1 : carried(counter) - before;
    }

    /** The agent's count, or -1 without the agent (the bridge only exists in the boot loader). */
    private static long carried(String counter) {
        try {
            return (long) Class.forName("org.sfkit.proxy.agent.bootstrap.AgentBridge", true, null)
                    .getMethod(counter).invoke(null);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    /** A case that does not apply on this JDK. */
    static final class Skipped extends Exception {
        Skipped(String why) {
            super(why);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int startEcho() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (true) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                SERVED.incrementAndGet();
                Thread worker = new Thread(() -> {
                    try (s) {
                        s.getOutputStream().write(s.getInputStream().readNBytes(PING.length));
                        s.getInputStream().readAllBytes(); // until the client's FIN: half-close must carry
                    } catch (IOException ignored) {
                        // the client went away
                    }
                });
                worker.setDaemon(true);
                worker.start();
            }
        }, "echo");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    /** {@code http://ip:port/} for {@code target}, an IP literal (no name lookup). */
    private static URI httpUri(InetSocketAddress target) {
        return URI.create("http://" + target.getAddress().getHostAddress() + ":" + target.getPort() + "/");
    }

    private static int startHttp() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            SERVED.incrementAndGet();
            exchange.sendResponseHeaders(200, PING.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(PING);
            }
        });
        server.start();
        return server.getAddress().getPort();
    }

    private static void expectPing(byte[] got) throws IOException {
        if (!new String(got, StandardCharsets.US_ASCII).equals("ping")) {
            throw new IOException("echo mismatch: " + new String(got, StandardCharsets.US_ASCII));
        }
    }

    private static String exchange(Socket s) throws IOException {
        try (s) {
            s.getOutputStream().write(PING);
            expectPing(s.getInputStream().readNBytes(PING.length));
            return String.valueOf(s.getRemoteSocketAddress());
        }
    }

    private static String exchange(SocketChannel ch) throws IOException {
        try (ch) {
            ch.configureBlocking(true);
            ch.write(ByteBuffer.wrap(PING));
            ByteBuffer in = ByteBuffer.allocate(PING.length);
            while (in.hasRemaining() && ch.read(in) >= 0) {
                // read the whole echo
            }
            expectPing(in.array());
            return String.valueOf(ch.getRemoteAddress());
        }
    }

    public enum Api {
        SOCKET_CONNECT {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                Socket s = new Socket();
                s.connect(target);
                return exchange(s);
            }
        },
        /** SO_TIMEOUT honoured (the socket stays usable after it), then shutdownOutput as FIN, then EOF. */
        SOCKET_SO_TIMEOUT_HALF_CLOSE {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                try (Socket s = new Socket()) {
                    s.connect(target);
                    s.setSoTimeout(300);
                    try {
                        int got = s.getInputStream().read();
                        throw new IOException("read returned " + got + " although nothing was sent");
                    } catch (java.net.SocketTimeoutException expected) {
                        // the timeout fired; now the normal exchange
                    }
                    s.setSoTimeout(30_000);
                    s.getOutputStream().write(PING);
                    s.shutdownOutput();
                    expectPing(s.getInputStream().readAllBytes()); // echo, then EOF after our FIN
                    return s.getInetAddress().getHostAddress() + ":" + s.getPort() + " timeout+halfclose";
                }
            }
        },
        /** A second connect fails as the JDK's does and leaves the first connection working. */
        SOCKET_CONNECT_TWICE {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                Socket s = new Socket();
                s.connect(target);
                try {
                    s.connect(target);
                    throw new IOException("second connect succeeded");
                } catch (java.net.SocketException expected) {
                    if (expected instanceof java.net.ConnectException) {
                        throw expected;
                    }
                }
                return exchange(s);
            }
        },
        VIRTUAL_THREAD_SOCKET {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                return inVirtualThread(() -> SOCKET_CONNECT.connect(target));
            }
        },
        VIRTUAL_THREAD_CHANNEL {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                return inVirtualThread(() -> CHANNEL_BLOCKING.connect(target));
            }
        },
        SOCKET_CONNECT_TIMEOUT {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                Socket s = new Socket();
                s.connect(target, 30_000);
                return exchange(s);
            }
        },
        SOCKET_HOST_PORT {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                return exchange(new Socket(target.getAddress().getHostAddress(), target.getPort()));
            }
        },
        SOCKET_ADDRESS_PORT_LOCAL {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                return exchange(new Socket(target.getAddress(), target.getPort(), InetAddress.getLoopbackAddress(), 0));
            }
        },
        CHANNEL_BLOCKING {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                return exchange(SocketChannel.open(target));
            }
        },
        CHANNEL_SELECTOR {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                try (Selector selector = Selector.open()) {
                    if (!ch.connect(target)) {
                        ch.register(selector, SelectionKey.OP_CONNECT);
                        if (selector.select(30_000) == 0 || !ch.finishConnect()) {
                            throw new IOException("connect did not complete");
                        }
                    }
                }
                return exchange(ch);
            }
        },
        ASYNC_CHANNEL {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                try (AsynchronousSocketChannel ch = AsynchronousSocketChannel.open()) {
                    ch.connect(target).get(30, TimeUnit.SECONDS);
                    ch.write(ByteBuffer.wrap(PING)).get(30, TimeUnit.SECONDS);
                    ByteBuffer in = ByteBuffer.allocate(PING.length);
                    while (in.hasRemaining() && ch.read(in).get(30, TimeUnit.SECONDS) >= 0) {
                        // read the whole echo
                    }
                    expectPing(in.array());
                    return String.valueOf(ch.getRemoteAddress());
                }
            }
        },
        HTTP_CLIENT {
            @Override
            int startService() throws IOException {
                return startHttp();
            }

            @Override
            String connect(InetSocketAddress target) throws Exception {
                URI uri = httpUri(target);
                HttpResponse<byte[]> response = HttpClient.newHttpClient()
                        .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
                expectPing(response.body());
                return uri.getAuthority();
            }
        },
        HTTP_URL_CONNECTION {
            @Override
            int startService() throws IOException {
                return startHttp();
            }

            @Override
            String connect(InetSocketAddress target) throws Exception {
                URI uri = httpUri(target);
                HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
                try (InputStream in = connection.getInputStream()) {
                    expectPing(in.readAllBytes());
                }
                return uri.getAuthority();
            }
        },
        NETTY_NIO {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                return NettyProbe.exchange(target, false);
            }
        },
        NETTY_EPOLL {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                return NettyProbe.exchange(target, true);
            }
        },
        UDP_SOCKET_SEND {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                try (DatagramSocket s = new DatagramSocket()) {
                    s.send(new DatagramPacket(PING, PING.length, target));
                }
                return "sent";
            }
        },
        UDP_CHANNEL_CONNECT {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                try (DatagramChannel ch = DatagramChannel.open()) {
                    ch.connect(target);
                    ch.write(ByteBuffer.wrap(PING));
                }
                return "sent";
            }
        },
        UDP_CHANNEL_SEND {
            @Override
            String connect(InetSocketAddress target) throws Exception {
                try (DatagramChannel ch = DatagramChannel.open()) {
                    ch.send(ByteBuffer.wrap(PING), target);
                }
                return "sent";
            }
        };

        int startService() throws IOException {
            return startEcho();
        }

        /** JDK 21+ only; reflection keeps this class at release 17. */
        static String inVirtualThread(java.util.concurrent.Callable<String> task) throws Exception {
            java.lang.reflect.Method perTask;
            try {
                perTask = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            } catch (NoSuchMethodException e) {
                throw new Skipped("no virtual threads before JDK 21");
            }
            java.util.concurrent.ExecutorService executor = (java.util.concurrent.ExecutorService) perTask.invoke(null);
            try {
                return executor.submit(task).get(60, TimeUnit.SECONDS) + " virtual";
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } finally {
                executor.shutdown();
            }
        }

        abstract String connect(InetSocketAddress target) throws Exception;
    }
}
