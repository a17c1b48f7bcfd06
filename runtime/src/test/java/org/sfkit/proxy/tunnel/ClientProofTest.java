package org.sfkit.proxy.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.testing.SocketStreams;
import org.sfkit.proxy.tls.SelfSignedCertificates;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientProofTest {
    private static TlsIdentity party2;
    private static TlsIdentity impostor;

    @BeforeAll
    static void keys() throws Exception {
        party2 = SelfSignedCertificates.generate(List.of(InetAddress.getLoopbackAddress()));
        impostor = SelfSignedCertificates.generate(List.of(InetAddress.getLoopbackAddress()));
    }

    /** Runs the server side as the node does: header first, then the proof. */
    private static CompletableFuture<Integer> serve(SocketStreams.Pair pair) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                assertThat(PortHeader.read(pair.b().input())).isEqualTo(PortHeader.CONTROL);
                return ClientProof.verify(pair.b(), pid -> pid == 2 ? party2.certificate() : null);
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    @Test
    void theRightKeyProvesTheClaimedParty() throws Exception {
        SocketStreams.Pair pair = SocketStreams.pair();
        CompletableFuture<Integer> server = serve(pair);
        ClientProof.prove(pair.a(), 2, party2);
        assertThat(server.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void anotherKeyClaimingThePartyIsRejected() throws Exception {
        SocketStreams.Pair pair = SocketStreams.pair();
        CompletableFuture<Integer> server = serve(pair);
        assertThatThrownBy(() -> ClientProof.prove(pair.a(), 2, impostor)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> server.get(10, TimeUnit.SECONDS)).hasMessageContaining("does not match its pinned certificate");
    }

    @Test
    void aPartyWithoutAPinnedCertificateIsRejected() throws Exception {
        SocketStreams.Pair pair = SocketStreams.pair();
        CompletableFuture<Integer> server = serve(pair);
        assertThatThrownBy(() -> ClientProof.prove(pair.a(), 7, party2)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> server.get(10, TimeUnit.SECONDS)).hasMessageContaining("party 7");
    }

    @Test
    void garbageInsteadOfAProofIsRejected() throws Exception {
        SocketStreams.Pair pair = SocketStreams.pair();
        CompletableFuture<Integer> server = serve(pair);
        DataOutputStream out = new DataOutputStream(pair.a().output());
        out.writeShort(PortHeader.CONTROL);
        out.write("HTTP/1.1".getBytes());
        assertThatThrownBy(() -> server.get(10, TimeUnit.SECONDS)).hasMessageContaining("not a client proof");
    }

    @Test
    void aHugeSignatureLengthIsRejectedWithoutReadingIt() throws Exception {
        SocketStreams.Pair pair = SocketStreams.pair();
        CompletableFuture<Integer> server = serve(pair);
        DataOutputStream out = new DataOutputStream(pair.a().output());
        out.writeShort(PortHeader.CONTROL);
        out.write("SFKP".getBytes());
        out.writeByte(1);
        out.writeInt(2);
        pair.a().input().readNBytes(32); // the nonce
        out.writeShort(60_000);
        assertThatThrownBy(() -> server.get(10, TimeUnit.SECONDS)).hasMessageContaining("too long");
    }
}
