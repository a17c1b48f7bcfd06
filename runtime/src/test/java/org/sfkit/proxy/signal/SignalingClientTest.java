package org.sfkit.proxy.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.java_websocket.WebSocket;
import org.java_websocket.enums.Opcode;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.sfkit.proxy.auth.AuthorizationHeader;

/** The client against hand-made servers on 127.0.0.1. */
class SignalingClientTest {
    /** Generous bound for events that happen within milliseconds; only a hang reaches it. */
    private static final long WAIT_SECONDS = 20;

    @ParameterizedTest
    @CsvSource({
        "ws://127.0.0.1:8000/api/ice, ws://127.0.0.1:8000",
        "wss://Sfkit.Example.ORG/api/ice, wss://sfkit.example.org",
        "WSS://sfkit.example.org:443/api/ice, wss://sfkit.example.org:443",
        "ws://[::1]:8000/api/ice, ws://[::1]:8000"
    })
    void originIsSchemeAndAuthorityInLowerCase(String api, String origin) {
        assertThat(SignalingClient.originOf(URI.create(api))).isEqualTo(origin);
    }

    @ParameterizedTest
    @CsvSource({"http://127.0.0.1/api/ice", "/api/ice"})
    void onlyWebSocketUrlsAreAccepted(String api) {
        assertThatThrownBy(() -> SignalingClient.originOf(URI.create(api)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Arguments> authorizations() {
        return Stream.of(
                Arguments.of(AuthorizationHeader.key("3f1c-website-key"), "3f1c-website-key"),
                Arguments.of((AuthorizationHeader) () -> "Bearer ya29.token", "Bearer ya29.token"));
    }

    @ParameterizedTest
    @MethodSource("authorizations")
    void theHandshakeCarriesOriginAuthorizationAndStudy(AuthorizationHeader authorization,
            String expected) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            URI api = URI.create("ws://localhost:" + server.getLocalPort() + "/api/ice");
            SignalingClient client = new SignalingClient(api, "study-7", 1, authorization,
                    new SignalingClient.Listener() { });
            CompletableFuture<Void> connect = client.connect();
            Map<String, String> headers;
            try (Socket socket = server.accept()) {
                headers = readRequestHeaders(socket);
                socket.getOutputStream().write(("HTTP/1.1 401 Unauthorized\r\n"
                        + "Content-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
            assertThat(headers).containsEntry("origin", "ws://localhost:" + server.getLocalPort())
                    .containsEntry("authorization", expected)
                    .containsEntry("x-mpc-study-id", "study-7");
            assertThatThrownBy(() -> connect.get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(SignalingRejectedException.class,
                            e -> assertThat(e.statusCode()).isEqualTo(401));
            client.close();
        }
    }

    private static Map<String, String> readRequestHeaders(Socket socket) throws IOException {
        BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        Map<String, String> headers = new TreeMap<>();
        in.readLine(); // request line
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).strip());
        }
        return headers;
    }

    @Test
    void fragmentedAndLargeTextMessagesArriveWhole() throws Exception {
        String large = "x".repeat(300_000);
        String fragmented = new SignalMessage("s", MessageType.CANDIDATE,
                "1 1 udp 1 203.0.113.9 9 typ srflx raddr 10.0.0.9 rport 9", 3, 1).toJson();
        String whole = new SignalMessage("s", MessageType.CERTIFICATE, large, 3, 1).toJson();
        CountDownLatch started = new CountDownLatch(1);
        List<Exception> serverErrors = new CopyOnWriteArrayList<>();
        WebSocketServer server = new WebSocketServer(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)) {
            @Override
            public void onOpen(WebSocket conn, ClientHandshake handshake) {
                int third = fragmented.length() / 3;
                conn.sendFragmentedFrame(Opcode.TEXT, utf8(fragmented.substring(0, third)), false);
                conn.sendFragmentedFrame(Opcode.TEXT,
                        utf8(fragmented.substring(third, 2 * third)), false);
                conn.sendFragmentedFrame(Opcode.TEXT,
                        utf8(fragmented.substring(2 * third)), true);
                conn.send(whole);
            }

            @Override
            public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            }

            @Override
            public void onMessage(WebSocket conn, String message) {
            }

            @Override
            public void onError(WebSocket conn, Exception ex) {
                serverErrors.add(ex);
            }

            @Override
            public void onStart() {
                started.countDown();
            }
        };
        server.start();
        try {
            BlockingQueue<SignalMessage> received = new LinkedBlockingQueue<>();
            assertThat(started.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            URI api = URI.create("ws://127.0.0.1:" + server.getPort() + "/api/ice");
            SignalingClient client = new SignalingClient(api, "s", 1, AuthorizationHeader.key("k"),
                    new SignalingClient.Listener() { });
            client.register(3, received::add);
            client.connect().get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(received.poll(WAIT_SECONDS, TimeUnit.SECONDS).toJson()).isEqualTo(fragmented);
            assertThat(received.poll(WAIT_SECONDS, TimeUnit.SECONDS).data()).isEqualTo(large);
            assertThat(serverErrors).isEmpty();
            client.close();
        } finally {
            server.stop(1000);
        }
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
