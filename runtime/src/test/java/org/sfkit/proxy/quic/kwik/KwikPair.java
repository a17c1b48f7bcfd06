package org.sfkit.proxy.quic.kwik;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicListener;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.tls.SelfSignedCertificates;

/** A kwik listener and one client connected to it on loopback, with the server's peer streams queued. */
final class KwikPair implements AutoCloseable {
    final QuicListener listener;
    final QuicConnection client;
    final QuicConnection server;
    final BlockingQueue<QuicStream> serverStreams = new LinkedBlockingQueue<>();

    private KwikPair(QuicListener listener, QuicConnection client, QuicConnection server) {
        this.listener = listener;
        this.client = client;
        this.server = server;
        server.onPeerStream(serverStreams::add);
    }

    static KwikPair connect(KwikEngine engine) throws IOException, GeneralSecurityException, InterruptedException {
        return connect(engine, QuicSettings.defaults());
    }

    static KwikPair connect(KwikEngine engine, QuicSettings settings)
            throws IOException, GeneralSecurityException, InterruptedException {
        List<InetAddress> loopback = List.of(InetAddress.getLoopbackAddress());
        TlsIdentity serverId = SelfSignedCertificates.generate(loopback);
        TlsIdentity clientId = SelfSignedCertificates.generate(loopback);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        BlockingQueue<QuicConnection> accepted = new LinkedBlockingQueue<>();
        QuicListener listener = engine.listen(any, serverId, PinnedTrust.of(clientId.certificate()),
                settings, accepted::add);
        QuicConnection client = engine.connect(any, listener.localAddress(), clientId,
                PinnedTrust.of(serverId.certificate()), settings, Duration.ofSeconds(10));
        QuicConnection server = accepted.poll(10, TimeUnit.SECONDS);
        if (server == null) {
            throw new IOException("server accepted no connection");
        }
        return new KwikPair(listener, client, server);
    }

    QuicStream nextServerStream() throws InterruptedException, IOException {
        QuicStream s = serverStreams.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new IOException("no peer stream arrived at the server");
        }
        return s;
    }

    /** Writes {@code size} seeded random bytes in {@code chunk}-sized writes, then FIN; returns their SHA-256. */
    static byte[] writeRandom(OutputStream out, long size, int chunk, long seed) throws IOException {
        MessageDigest sha = sha256();
        Random random = new Random(seed);
        byte[] buffer = new byte[chunk];
        random.nextBytes(buffer);
        for (long done = 0; done < size; done += chunk) {
            int n = (int) Math.min(chunk, size - done);
            buffer[0] = (byte) done; // vary the content cheaply without regenerating it
            out.write(buffer, 0, n);
            sha.update(buffer, 0, n);
        }
        out.close();
        return sha.digest();
    }

    /** Reads to FIN and returns the SHA-256 of everything read. */
    static byte[] digestAll(InputStream in) throws IOException {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            sha.update(buffer, 0, n);
        }
        return sha.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        listener.close();
    }
}
