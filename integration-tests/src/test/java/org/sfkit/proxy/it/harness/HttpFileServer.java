package org.sfkit.proxy.it.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves the files of one directory by name, on 127.0.0.1 only (an MPC party's "own" web server).
 * A PUT is hashed, not stored: the answer is the SHA-256 (hex) of the body received, so an
 * upload is checked where it arrived.
 */
public final class HttpFileServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private HttpFileServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static HttpFileServer serve(Path directory) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newCachedThreadPool(Daemons.named("http-file-server"));
        server.setExecutor(executor);
        Path root = directory.toAbsolutePath().normalize();
        server.createContext("/", exchange -> respond(root, exchange));
        server.start();
        return new HttpFileServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(Path directory, HttpExchange exchange) throws IOException {
        try (exchange) {
            if ("PUT".equals(exchange.getRequestMethod())) {
                Sha256 received = new Sha256();
                exchange.getRequestBody().transferTo(received);
                byte[] answer = (received.hex() + "\n").getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                return;
            }
            Path file = directory.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(directory) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, Files.size(file));
            try (OutputStream body = exchange.getResponseBody()) {
                Files.copy(file, body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
