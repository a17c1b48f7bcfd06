package org.sfkit.proxy.signal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sfkit.proxy.auth.AuthorizationHeader;
import org.sfkit.proxy.signal.IceCredential;
import org.sfkit.proxy.signal.MessageType;
import org.sfkit.proxy.signal.SignalMessage;
import org.sfkit.proxy.signal.SignalingClient;
import org.sfkit.proxy.signal.SignalingRejectedException;

/** Our server and our client against each other, over real sockets on 127.0.0.1. */
class SignalingServerTest {
    /** Generous bound for events that happen within milliseconds; only a hang reaches it. */
    private static final long WAIT_SECONDS = 20;
    private static final InetSocketAddress ANY_LOOPBACK_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Map<String, List<String>> STUDIES = Map.of(
            "s2", List.of("k0", "k1"),
            "s3", List.of("t0", "t1", "t2"),
            "other", List.of("o0", "o1"));

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private SignalingServer server() throws IOException {
        return track(SignalingServer.start(ANY_LOOPBACK_PORT, STUDIES));
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private static URI api(SignalingServer server) {
        return URI.create("ws://127.0.0.1:" + server.address().getPort() + "/api/ice");
    }

    /** A client and what it heard. */
    private class Party implements SignalingClient.Listener {
        final BlockingQueue<SignalMessage> received = new LinkedBlockingQueue<>();
        final BlockingQueue<String> serverErrors = new LinkedBlockingQueue<>();
        final BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
        final BlockingQueue<Integer> unknownPeers = new LinkedBlockingQueue<>();
        final BlockingQueue<SignalingRejectedException> fatals = new LinkedBlockingQueue<>();
        final SignalingClient client;

        Party(URI api, String study, int pid, String key) {
            client = track(new SignalingClient(api, study, pid, AuthorizationHeader.key(key), this));
        }

        Party handleAll(int... peers) {
            for (int peer : peers) {
                client.register(peer, received::add);
            }
            return this;
        }

        @Override
        public void onOpen(boolean reconnected) {
            opens.add(reconnected);
        }

        @Override
        public void onServerError(String text) {
            serverErrors.add(text);
        }

        @Override
        public void onUnknownPeer(int pid) {
            unknownPeers.add(pid);
        }

        @Override
        public void onFatal(SignalingRejectedException e) {
            fatals.add(e);
        }
    }

    private static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
        T value = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(value).as("nothing arrived within %d s", WAIT_SECONDS).isNotNull();
        return value;
    }

    private static void await(CompletableFuture<?> future) throws Exception {
        future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "{0} parties")
    @ValueSource(ints = {2, 3})
    void partiesPassTheBarrierAndExchangeMessagesWithAuthenticSourcePid(int parties)
            throws Exception {
        SignalingServer server = server();
        String study = parties == 2 ? "s2" : "s3";
        List<String> keys = STUDIES.get(study);
        List<Party> all = new ArrayList<>();
        List<CompletableFuture<Void>> connects = new ArrayList<>();
        for (int pid = 0; pid < parties; pid++) {
            int self = pid;
            int[] peers = IntStream.range(0, parties).filter(p -> p != self).toArray();
            // The client claims PID 40+pid: the server must put the authenticated PID instead.
            Party party = new Party(api(server), study, 40 + pid, keys.get(pid)).handleAll(peers);
            all.add(party);
            connects.add(party.client.connect());
        }
        for (CompletableFuture<Void> connect : connects) {
            await(connect);
        }
        for (int from = 0; from < parties; from++) {
            for (int to = 0; to < parties; to++) {
                if (from != to) {
                    String data = IceCredential.generate().toJson();
                    await(all.get(from).client.send(MessageType.CREDENTIAL, to, data));
                    SignalMessage got = next(all.get(to).received);
                    assertThat(got).isEqualTo(
                            new SignalMessage(study, MessageType.CREDENTIAL, data, from, to));
                }
            }
        }
    }

    @Test
    void theUpgradeWaitsUntilEveryPartyIsConnected() throws Exception {
        SignalingServer server = server();
        try (Socket early = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            sendHandshake(early, server, "s2", "k0", true);
            early.setSoTimeout(1000);
            InputStream in = early.getInputStream();
            assertThatThrownBy(in::read).as("no answer before party 1 connects")
                    .isInstanceOf(SocketTimeoutException.class);

            Party last = new Party(api(server), "s2", 1, "k1");
            await(last.client.connect());
            early.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertThat(statusLine(in)).startsWith("HTTP/1.1 101");
        }
    }

    @Test
    void aPartyThatLeavesWhileWaitingFreesItsPid() throws Exception {
        SignalingServer server = server();
        try (Socket leaver = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            sendHandshake(leaver, server, "s2", "k0", true);
            awaitConnected(server, "s2", 1);
        }
        awaitConnected(server, "s2", 0);
        Party zero = new Party(api(server), "s2", 0, "k0");
        Party one = new Party(api(server), "s2", 1, "k1");
        CompletableFuture<Void> zeroOpen = zero.client.connect();
        await(one.client.connect());
        await(zeroOpen);
        assertThat(zero.serverErrors).isEmpty();
    }

    @Test
    void startingOnAPortInUseFailsWithTheAddress() throws IOException {
        SignalingServer first = server();
        assertThatThrownBy(() -> track(SignalingServer.start(first.address(), STUDIES)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(String.valueOf(first.address().getPort()));
    }

    @Test
    void decoderThreadsAreReusedAcrossConnections() throws Exception {
        SignalingServer server = server();
        long before = decoderThreads();
        for (int i = 0; i < 30; i++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
                socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                sendHandshake(socket, server, "s2", "wrong-" + i, true);
                assertThat(statusLine(socket.getInputStream())).startsWith("HTTP/1.1 401");
                socket.getInputStream().readAllBytes(); // until the server closed
            }
        }
        assertThat(decoderThreads() - before).isLessThanOrEqualTo(3);
    }

    private static long decoderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("sfkit-signal-decoder-"))
                .count();
    }

    @Test
    void aWrongKeyIsAFatal401() throws IOException {
        Party stranger = new Party(api(server()), "s2", 0, "not-a-key");
        assertThatThrownBy(() -> await(stranger.client.connect()))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(SignalingRejectedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(401);
                    assertThat(e.getMessage()).contains("-auth-key");
                });
    }

    @Test
    void anUnknownStudyIsAFatal400() throws IOException {
        Party lost = new Party(api(server()), "no-such-study", 0, "k0");
        assertThatThrownBy(() -> await(lost.client.connect()))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(SignalingRejectedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("-study");
                });
    }

    @ParameterizedTest(name = "Origin: \"{0}\"")
    @ValueSource(strings = {"", "ws://evil.example", "http://127.0.0.1:PORT", "ws://127.0.0.1:1"})
    void aMissingOrForeignOriginIs400(String origin) throws Exception {
        SignalingServer server = server();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            sendHandshake(socket, "127.0.0.1:" + server.address().getPort(),
                    origin.replace("PORT", String.valueOf(server.address().getPort())), "s2", "k0");
            assertThat(statusLine(socket.getInputStream())).startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void aKeyOfAnotherStudyIsToldItIsNotInTheStudy() throws Exception {
        SignalingServer server = server();
        Party outsider = new Party(api(server), "s2", 0, "o0");
        await(outsider.client.connect());
        assertThat(next(outsider.serverErrors)).contains("not in study s2");
    }

    @Test
    void aSecondConnectionOfTheSamePartyIsRefusedWithAnErrorMessage() throws Exception {
        SignalingServer server = server();
        Party first = new Party(api(server), "s2", 0, "k0");
        CompletableFuture<Void> firstOpen = first.client.connect();
        awaitConnected(server, "s2", 1);
        Party twin = new Party(api(server), "s2", 0, "k0");
        await(twin.client.connect());
        assertThat(next(twin.serverErrors)).contains("Party 0 is already connected");
        assertThat(firstOpen).isNotDone();
    }

    @Test
    void aMessageToAPartyThatIsNotConnectedComesBackAsAnError() throws Exception {
        SignalingServer server = server();
        Party zero = new Party(api(server), "s2", 0, "k0");
        Party one = new Party(api(server), "s2", 1, "k1");
        CompletableFuture<Void> zeroOpen = zero.client.connect();
        await(one.client.connect());
        await(zeroOpen);
        await(zero.client.send(MessageType.CANDIDATE, 5, "x"));
        assertThat(next(zero.serverErrors)).contains("Unexpected target id 5");
    }

    @Test
    void messagesFromAnUnregisteredPeerAreHeldWithoutBlockingOthers() throws Exception {
        SignalingServer server = server();
        Party zero = new Party(api(server), "s3", 0, "t0");
        Party one = new Party(api(server), "s3", 1, "t1");
        Party two = new Party(api(server), "s3", 2, "t2");
        CountDownLatch releaseTwo = new CountDownLatch(1);
        BlockingQueue<SignalMessage> fromTwo = new LinkedBlockingQueue<>();
        zero.client.register(2, m -> {
            fromTwo.add(m);
            awaitQuietly(releaseTwo);
        });
        List<CompletableFuture<Void>> opens = List.of(
                zero.client.connect(), one.client.connect(), two.client.connect());
        for (CompletableFuture<Void> open : opens) {
            await(open);
        }
        // Party 2's handler blocks on its first message; party 1 has no handler at all.
        await(two.client.send(MessageType.CANDIDATE, 0, "blocked-1"));
        await(two.client.send(MessageType.CANDIDATE, 0, "blocked-2"));
        for (int i = 0; i < 3; i++) {
            await(one.client.send(MessageType.CANDIDATE, 0, "held-" + i));
        }
        assertThat(next(zero.unknownPeers)).isEqualTo(1);
        assertThat(next(fromTwo).data()).isEqualTo("blocked-1");

        // The socket is still read: a later message of party 1 is held behind the first three.
        await(one.client.send(MessageType.CERTIFICATE, 0, "held-3"));
        zero.client.register(1, zero.received::add);
        for (int i = 0; i < 4; i++) {
            assertThat(next(zero.received).data()).isEqualTo("held-" + i);
        }
        releaseTwo.countDown();
        assertThat(next(fromTwo).data()).isEqualTo("blocked-2");
        assertThat(zero.unknownPeers).isEmpty();
    }

    @Test
    void aMalformedMessageMakesTheServerDropTheConnection() throws Exception {
        SignalingServer server = server();
        Party one = new Party(api(server), "s2", 1, "k1");
        CompletableFuture<Void> oneOpen = one.client.connect();
        BlockingQueue<Integer> closeCodes = new LinkedBlockingQueue<>();
        WebSocket raw = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Origin", "ws://127.0.0.1:" + server.address().getPort())
                .header("Authorization", "k0")
                .header("X-MPC-Study-ID", "s2")
                .buildAsync(api(server), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                        closeCodes.add(code);
                        return null;
                    }
                }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        await(oneOpen);
        raw.sendText("{\"studyID\":\"s2\",\"type\":\"candidate\",\"data\":\"\","
                + "\"sourcePID\":0,\"targetPID\":1,\"extra\":1}", true);
        assertThat(next(closeCodes)).isEqualTo(1008);
        raw.abort();
    }

    @Test
    void theServerOverwritesAForgedStudyAndSource() throws Exception {
        SignalingServer server = server();
        Party one = new Party(api(server), "s2", 1, "k1").handleAll(0);
        CompletableFuture<Void> oneOpen = one.client.connect();
        WebSocket raw = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Origin", "ws://127.0.0.1:" + server.address().getPort())
                .header("Authorization", "k0")
                .header("X-MPC-Study-ID", "s2")
                .buildAsync(api(server), new WebSocket.Listener() { })
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        await(oneOpen);
        raw.sendText(new SignalMessage("forged", MessageType.CANDIDATE, "c", 7, 1).toJson(), true);
        assertThat(next(one.received))
                .isEqualTo(new SignalMessage("s2", MessageType.CANDIDATE, "c", 0, 1));
        raw.abort();
    }

    @Test
    void afterTheServerRestartsBothPartiesReconnectAndResend() throws Exception {
        SignalingServer first = server();
        InetSocketAddress address = first.address();
        URI api = api(first);
        Party zero = new Party(api, "s2", 0, "k0").handleAll(1);
        String credential = IceCredential.generate().toJson();
        Party one = new Party(api, "s2", 1, "k1") {
            @Override
            public void onOpen(boolean reconnected) {
                super.onOpen(reconnected);
                // What an owner does on every open: send what the peer still needs.
                client.send(MessageType.CREDENTIAL, 0, credential);
            }
        };
        CompletableFuture<Void> zeroOpen = zero.client.connect();
        await(one.client.connect());
        await(zeroOpen);
        assertThat(next(zero.received).data()).isEqualTo(credential);

        first.close();
        track(SignalingServer.start(address, STUDIES));

        assertThat(next(one.opens)).isFalse();
        assertThat(next(one.opens)).as("reconnected").isTrue();
        assertThat(next(zero.opens)).isFalse();
        assertThat(next(zero.opens)).as("reconnected").isTrue();
        assertThat(next(zero.received))
                .isEqualTo(new SignalMessage("s2", MessageType.CREDENTIAL, credential, 1, 0));
        assertThat(zero.client.isOpen()).isTrue();
    }

    /** Polls the server until the study has that many parties (connected or waiting). */
    private static void awaitConnected(SignalingServer server, String study, int parties)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (server.connectedParties(study) != parties) {
            assertThat(System.nanoTime()).as("%s never had %d parties", study, parties)
                    .isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void aReconnectThatIsRefusedStopsTheClientWithAFatalError() throws Exception {
        SignalingServer first = server();
        InetSocketAddress address = first.address();
        Party zero = new Party(api(first), "s2", 0, "k0");
        Party one = new Party(api(first), "s2", 1, "k1");
        CompletableFuture<Void> zeroOpen = zero.client.connect();
        await(one.client.connect());
        await(zeroOpen);

        first.close();
        track(SignalingServer.start(address, Map.of("s2", List.of("new0", "new1"))));

        assertThat(next(zero.fatals).statusCode()).isEqualTo(401);
        assertThat(zero.client.isOpen()).isFalse();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sendHandshake(Socket socket, SignalingServer server, String study,
            String key, boolean withOrigin) throws IOException {
        String host = "127.0.0.1:" + server.address().getPort();
        sendHandshake(socket, host, withOrigin ? "ws://" + host : "", study, key);
    }

    /** A WebSocket upgrade request written by hand, so headers can be left out. */
    private static void sendHandshake(Socket socket, String host, String origin, String study,
            String key) throws IOException {
        StringBuilder request = new StringBuilder()
                .append("GET /api/ice HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
                .append("Sec-WebSocket-Version: 13\r\n")
                .append("Authorization: ").append(key).append("\r\n")
                .append("X-MPC-Study-ID: ").append(study).append("\r\n");
        if (!origin.isEmpty()) {
            request.append("Origin: ").append(origin).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().strip();
    }
}
