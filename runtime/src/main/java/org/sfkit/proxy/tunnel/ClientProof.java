package org.sfkit.proxy.tunnel;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.function.IntFunction;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.quic.TlsIdentity;

/**
 * The client's proof of identity on the control stream (port header 0), run by our peers on every
 * new connection before any data stream.
 *
 * <p>Why: a kwik server cannot request a client certificate, so TLS alone does not tell it who
 * connected; and with any engine a TLS 1.3 client's handshake completes before the server has
 * judged its certificate. Here the server sends a fresh nonce, the client signs it with the key of
 * the certificate it signalled, and the server checks the signature against the certificate
 * pinned for the party the client claims. Replaying an old proof fails (new nonce); relaying a
 * live one needs the real client to connect to the relay as if to its server, which the client's
 * pinned server certificate prevents.
 *
 * <pre>
 * client → server: 00 00 | "SFKP" | version (1) | claimed party id (int32)
 * server → client: nonce (32 bytes)
 * client → server: signature length (uint16) | signature over CONTEXT | nonce | party id
 * server → client: 00 (accepted), then both sides send FIN; otherwise the stream is reset
 * </pre>
 */
public final class ClientProof {
    private static final byte[] MAGIC = "SFKP".getBytes(StandardCharsets.US_ASCII);
    /** Announced in our certificate payload ({@code CertificatePayload#clientProof}). */
    public static final int VERSION = 1;
    /** 256 bits: a nonce that never repeats across all connections there will ever be. */
    private static final int NONCE_LENGTH = 32;
    /** Domain separation, so the signature can never be mistaken for one made for another use. */
    private static final byte[] CONTEXT = "sfkit-proxy client proof v1\0".getBytes(StandardCharsets.US_ASCII);
    /** Larger than any RSA-4096 or ECDSA signature; a bound so a peer cannot make us allocate much. */
    private static final int MAX_SIGNATURE = 1024;
    private static final int ACCEPTED = 0;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ClientProof() {
    }

    /** Client side: proves we are {@code pid}; returns once the server accepted. */
    public static void prove(QuicStream stream, int pid, TlsIdentity identity) throws IOException {
        DataOutputStream out = new DataOutputStream(stream.output());
        DataInputStream in = new DataInputStream(stream.input());
        PortHeader.write(out, PortHeader.CONTROL);
        out.write(MAGIC);
        out.writeByte(VERSION);
        out.writeInt(pid);
        byte[] nonce = new byte[NONCE_LENGTH];
        in.readFully(nonce);
        byte[] signature;
        try {
            Signature signer = Signature.getInstance(signatureAlgorithm(identity.privateKey()));
            signer.initSign(identity.privateKey());
            signer.update(signedBytes(nonce, pid));
            signature = signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot sign the client proof with our key", e);
        }
        out.writeShort(signature.length);
        out.write(signature);
        if (in.read() != ACCEPTED) {
            throw new IOException("peer did not accept our client proof");
        }
        out.close();
    }

    /**
     * Server side, after {@link PortHeader#read} returned {@link PortHeader#CONTROL}: checks the
     * proof and returns the proven party id.
     *
     * @param pinnedCertificate the certificate pinned for a party id, or {@code null} for a party
     *     we do not know
     * @throws IOException when the proof is missing, malformed or wrong (the stream is then reset)
     */
    public static int verify(QuicStream stream, IntFunction<X509Certificate> pinnedCertificate) throws IOException {
        try {
            return verifyOrThrow(stream, pinnedCertificate);
        } catch (IOException e) {
            stream.reset(StreamErrorCodes.PROTOCOL_ERROR);
            throw e;
        }
    }

    private static int verifyOrThrow(QuicStream stream, IntFunction<X509Certificate> pinnedCertificate) throws IOException {
        DataInputStream in = new DataInputStream(stream.input());
        OutputStream out = stream.output();
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        int version = in.readUnsignedByte();
        if (!java.util.Arrays.equals(magic, MAGIC) || version != VERSION) {
            throw new IOException("control stream is not a client proof v" + VERSION);
        }
        int pid = in.readInt();
        X509Certificate certificate = pinnedCertificate.apply(pid);
        if (certificate == null) {
            throw new IOException("client claims party " + pid + ", which has no pinned certificate here");
        }
        byte[] nonce = new byte[NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        out.write(nonce);
        int length = in.readUnsignedShort();
        if (length > MAX_SIGNATURE) {
            throw new IOException("client proof signature too long: " + length);
        }
        byte[] signature = in.readNBytes(length);
        boolean valid;
        try {
            Signature verifier = Signature.getInstance(signatureAlgorithm(certificate.getPublicKey()));
            verifier.initVerify(certificate);
            verifier.update(signedBytes(nonce, pid));
            valid = signature.length == length && verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot check the client proof of party " + pid, e);
        }
        if (!valid) {
            throw new IOException("client proof for party " + pid + " does not match its pinned certificate");
        }
        out.write(ACCEPTED);
        out.close();
        return pid;
    }

    private static byte[] signedBytes(byte[] nonce, int pid) {
        byte[] bytes = new byte[CONTEXT.length + nonce.length + 4];
        System.arraycopy(CONTEXT, 0, bytes, 0, CONTEXT.length);
        System.arraycopy(nonce, 0, bytes, CONTEXT.length, nonce.length);
        int at = CONTEXT.length + nonce.length;
        bytes[at] = (byte) (pid >>> 24);
        bytes[at + 1] = (byte) (pid >>> 16);
        bytes[at + 2] = (byte) (pid >>> 8);
        bytes[at + 3] = (byte) pid;
        return bytes;
    }

    private static String signatureAlgorithm(Key key) {
        return "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
    }
}
