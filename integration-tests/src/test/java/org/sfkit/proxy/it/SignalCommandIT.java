package org.sfkit.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sfkit.proxy.it.harness.ItEnvironment;
import org.sfkit.proxy.it.harness.ProxyProcess;

/**
 * {@code sfkit-proxy.jar signal} as an operator runs it: a child JVM, real WebSocket clients
 * (the JDK's) with the headers of spec section 3, and SIGTERM at the end.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SignalCommandIT {
    private static final Pattern URL = Pattern.compile("url=(ws://\\S+)");
    /** SIGTERM: the JVM exits with 128 + 15 (spec section 1). */
    private static final int EXIT_SIGTERM = 143;
    /** Long enough for a 101 that the barrier wrongly let through to arrive on loopback. */
    private static final long BARRIER_PROBE_MILLIS = 1000;

    @Test
    void relaysBetweenPartiesAuthenticatedByTheirKeysAndStopsOnSigterm() throws Exception {
        ProxyProcess server = ProxyProcess.launch("SignalCommandIT/signal", List.of(),
                List.of("signal", "--listen", "127.0.0.1:0", "--study", "s1", "--keys", "key-zero,key-one", "-v"),
                ItEnvironment.workDir("logs/SignalCommandIT").resolve("signal.log"), ProxyProcess.SIGNAL_READY_MARKER).awaitReady();
        try {
            Matcher url = URL.matcher(server.readyLine());
            assertThat(url.find()).as(server.readyLine()).isTrue();
            URI api = URI.create(url.group(1));
            assertThat(api.getPath()).isEqualTo("/api/ice");

            assertThatThrownBy(() -> connect(api, "s1", "wrong-key", new LinkedBlockingQueue<>()).get())
                    .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
            assertThatThrownBy(() -> connect(api, "no-such-study", "key-zero", new LinkedBlockingQueue<>()).get())
                    .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                            e -> assertThat(e.getResponse().statusCode()).isEqualTo(400));

            BlockingQueue<String> toParty0 = new LinkedBlockingQueue<>();
            CompletableFuture<WebSocket> party0 = connect(api, "s1", "key-zero", toParty0);
            Thread.sleep(BARRIER_PROBE_MILLIS);
            assertThat(party0).as("the 101 waits until every party has connected").isNotDone();
            WebSocket party1 = connect(api, "s1", "key-one", new LinkedBlockingQueue<>()).get(30, TimeUnit.SECONDS);
            party0.get(30, TimeUnit.SECONDS);

            // A forged sourcePID and studyID: the server overwrites both from the key.
            party1.sendText("{\"studyID\":\"forged\",\"type\":\"credential\","
                    + "\"data\":\"{\\\"ufrag\\\":\\\"abcdefghijklmnop\\\",\\\"pwd\\\":\\\"x\\\"}\","
                    + "\"sourcePID\":7,\"targetPID\":0}", true).get(30, TimeUnit.SECONDS);
            String relayed = toParty0.poll(30, TimeUnit.SECONDS);
            assertThat(relayed).isNotNull()
                    .contains("\"studyID\":\"s1\"", "\"type\":\"credential\"", "\"sourcePID\":1", "\"targetPID\":0",
                            "abcdefghijklmnop");
        } finally {
            server.close();
        }
        assertThat(server.exitValue()).as(server::tail).isEqualTo(EXIT_SIGTERM);
    }

    /** A party's handshake (spec section 3 headers); text frames go to {@code received}. */
    static CompletableFuture<WebSocket> connect(URI api, String study, String key, BlockingQueue<String> received) {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Origin", "ws://" + api.getAuthority())
                .header("Authorization", key)
                .header("X-MPC-Study-ID", study)
                .buildAsync(api, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            received.add(text.toString());
                            text.setLength(0);
                        }
                        socket.request(1);
                        return null;
                    }
                });
    }
}
