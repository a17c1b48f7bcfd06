package org.sfkit.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The metadata-server path of Google application-default credentials, end to end through the
 * real library: a child JVM ({@link AuthorizationProbe}) whose environment has no key, no
 * {@code GOOGLE_APPLICATION_CREDENTIALS}, an empty home (no gcloud file) and
 * {@code GCE_METADATA_HOST} pointing at a metadata emulator on 127.0.0.1. The library reads the
 * variable with {@code System.getenv}, hence the child JVM; nothing can reach a Google host.
 */
class GoogleMetadataCredentialsTest {
    private static final String TOKEN_PATH = "/computeMetadata/v1/instance/service-accounts/default/token";
    /** Bounds a child JVM that hangs; it normally exits within a couple of seconds. */
    private static final long CHILD_TIMEOUT_SECONDS = 60;

    @TempDir
    Path home;

    private HttpServer metadata;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> tokenScopes = new CopyOnWriteArrayList<>();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private volatile int expiresInSeconds;
    private volatile boolean actLikeMetadataServer = true;

    @BeforeEach
    void startEmulator() throws IOException {
        metadata = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        metadata.createContext("/", this::serve);
        metadata.start();
    }

    @AfterEach
    void stopEmulator() {
        metadata.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(exchange.getRequestMethod() + " " + path);
        boolean flavoured = "Google".equals(exchange.getRequestHeaders().getFirst("Metadata-Flavor"));
        if (actLikeMetadataServer) {
            // The library's GCE detection accepts a server only if it answers with this header.
            exchange.getResponseHeaders().add("Metadata-Flavor", "Google");
        }
        byte[] body;
        int status;
        if (path.equals("/")) {
            status = 200;
            body = new byte[0];
        } else if (path.equals(TOKEN_PATH) && flavoured && actLikeMetadataServer) {
            String query = exchange.getRequestURI().getRawQuery();
            tokenScopes.add(query == null ? "" : URLDecoder.decode(query, StandardCharsets.UTF_8));
            status = 200;
            body = ("{\"access_token\":\"tok-" + tokensIssued.incrementAndGet()
                    + "\",\"expires_in\":" + expiresInSeconds + ",\"token_type\":\"Bearer\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
        } else {
            status = 404;
            body = new byte[0];
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /**
     * The library treats a token as expired within 3 minutes of its end (its
     * COMPUTE_EXPIRATION_MARGIN): 60 s is expired on arrival, 3600 s is fresh.
     */
    @ParameterizedTest(name = "expires_in={0}")
    @CsvSource({"3600, 'Bearer tok-1,Bearer tok-1', 1", "60, 'Bearer tok-1,Bearer tok-2', 2"})
    void aMetadataServerTokenIsSentAsBearerAndRefreshedWhenExpired(int expiresIn,
            String expected, int tokenRequests) throws Exception {
        expiresInSeconds = expiresIn;
        ChildResult child = runProbe(2);
        assertThat(child.exitCode).as(child.output.toString()).isZero();
        assertThat(child.output).containsExactly(expected.split(","));
        assertThat(tokensIssued).hasValue(tokenRequests);
        assertThat(tokenScopes).allSatisfy(q -> assertThat(q).isEqualTo("scopes=openid,email,profile"));
        assertThat(requests).contains("GET /").allSatisfy(r -> assertThat(r).isIn("GET /", "GET " + TOKEN_PATH));
    }

    @Test
    void withoutAnyCredentialsTheErrorSaysWhatIsMissing() throws Exception {
        actLikeMetadataServer = false;
        ChildResult child = runProbe(1);
        assertThat(child.exitCode).isEqualTo(3);
        assertThat(child.output).singleElement().asString()
                .startsWith("ERROR no auth key (-auth-key or $SFKIT_DIR/auth_key.txt)");
        assertThat(tokensIssued).hasValue(0);
    }

    private record ChildResult(int exitCode, List<String> output) {
    }

    private ChildResult runProbe(int calls) throws Exception {
        Path sfkitDir = Files.createDirectories(home.resolve("sfkit-empty"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home,
                "-cp", System.getProperty("java.class.path"),
                AuthorizationProbe.class.getName(), String.valueOf(calls)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        Map<String, String> env = builder.environment();
        env.clear(); // no GOOGLE_APPLICATION_CREDENTIALS, CLOUDSDK_CONFIG, proxies, ...
        env.put("HOME", home.toString());
        env.put("SFKIT_DIR", sfkitDir.toString());
        env.put("GCE_METADATA_HOST", "127.0.0.1:" + metadata.getAddress().getPort());
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        List<String> output = new String(process.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8).lines().toList();
        assertThat(process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        return new ChildResult(process.exitValue(), output);
    }
}
