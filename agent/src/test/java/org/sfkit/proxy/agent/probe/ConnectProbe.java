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
 * Runs in its own JVM (inside a network namespace, with or without the agent): starts a service
 * on 127.0.0.1, connects to {@code 10.0.0.<party>:<that port>} through one API and prints one
 * line {@code RESULT ok <remote> served=<n> carried=<n>} or
 * {@code RESULT error <exception> connectException=<is one> carried=<n>}.
 *
 * <p>Usage: {@code ConnectProbe <api> <party> <echo|closed>}; {@code closed} aims at a port
 * nothing listens on.
 */
public final class ConnectProbe {
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);
    /** Connections the local service accepted: proof the connect arrived. */
    private static final AtomicInteger SERVED = new AtomicInteger();

    private ConnectProbe() {
    }

    public static void main(String[] args) throws Exception {
        Api api = Api.valueOf(args[0]);
        InetAddress party = InetAddress.getByName("10.0.0." + args[1]);
        boolean closed = args[2].equals("closed");
        int port = closed ? closedPort() : api.startService();
        try {
            String remote = api.connect(new InetSocketAddress(party, port));
            System.out.println("RESULT ok " + remote + " served=" + SERVED.get() + " carried=" + carried());
        } catch (Throwable e) {
            System.out.println("RESULT error " + e + " connectException=" + (e instanceof java.net.ConnectException)
                    + " carried=" + carried());
        }
        System.exit(0);
    }

    /** The agent's count, or -1 without the agent (the bridge only exists in the boot loader). */
    private static long carried() {
        try {
            return (long) Class.forName("org.sfkit.proxy.agent.bootstrap.AgentBridge", true, null)
                    .getMethod("carriedConnects").invoke(null);
        } catch (ReflectiveOperationException e) {
            return -1;
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
                try (Socket s = server.accept()) {
                    SERVED.incrementAndGet();
                    s.getOutputStream().write(s.getInputStream().readNBytes(PING.length));
                } catch (IOException e) {
                    return;
                }
            }
        }, "echo");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
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
                URI uri = URI.create("http://" + target.getAddress().getHostAddress() + ":" + target.getPort() + "/");
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
                URI uri = URI.create("http://" + target.getAddress().getHostAddress() + ":" + target.getPort() + "/");
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

        abstract String connect(InetSocketAddress target) throws Exception;
    }
}
