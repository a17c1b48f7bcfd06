package org.sfkit.proxy.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP service on 127.0.0.1 that reads until the client half-closes, then sends everything
 * back and closes: it only answers if the end of the client's data crossed the tunnel as a FIN
 * (half-close semantics), and the client only sees the end of the reply if the reverse FIN did.
 */
public final class EofEchoServer implements AutoCloseable {
    private final ServerSocket listener;
    private final ExecutorService executor = Executors.newCachedThreadPool(Daemons.named("eof-echo"));
    private final List<Caller> callers = new CopyOnWriteArrayList<>();
    private volatile List<Long> ownerCandidates = List.of();

    private EofEchoServer(ServerSocket listener) {
        this.listener = listener;
        executor.execute(this::acceptLoop);
    }

    public static EofEchoServer start() throws IOException {
        ServerSocket listener = new ServerSocket();
        // Backlog above the 100 concurrent connections a test opens at once.
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        return new EofEchoServer(listener);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** An accepted connection: where it came from and, when known, the process that made it. */
    public record Caller(InetSocketAddress address, OptionalLong ownerPid) {
    }

    /** Every connection accepted so far, in order. */
    public List<Caller> callers() {
        return List.copyOf(callers);
    }

    /** From now on, find out which of these processes made each connection (see {@link SocketOwners}). */
    public void identifyCallersAmong(List<Long> pids) {
        ownerCandidates = List.copyOf(pids);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                executor.execute(() -> echoAfterEof(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Looked up while the connection is open: the caller's socket exists only until it closes. */
    private Caller identify(Socket socket) {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        List<Long> candidates = ownerCandidates;
        try {
            return new Caller(remote, candidates.isEmpty() ? OptionalLong.empty()
                    : SocketOwners.owner(remote.getPort(), socket.getLocalPort(), candidates));
        } catch (IOException unreadable) {
            return new Caller(remote, OptionalLong.empty());
        }
    }

    /** Records the caller before answering, so a client that got its echo finds itself in {@link #callers}. */
    private void echoAfterEof(Socket socket) {
        callers.add(identify(socket));
        try (socket) {
            InputStream in = socket.getInputStream();
            byte[] request = in.readAllBytes();
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
        } catch (IOException e) {
            // A client that reset or vanished: nothing to answer; the client's test reports it.
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        executor.shutdownNow();
    }
}
