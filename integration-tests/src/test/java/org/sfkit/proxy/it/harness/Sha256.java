package org.sfkit.proxy.it.harness;

import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** An output stream that only hashes and counts what is written to it (a 1 GiB download never touches disk). */
public final class Sha256 extends OutputStream {
    private final MessageDigest digest;
    private long count;

    public Sha256() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static String of(byte[] bytes) {
        Sha256 sha = new Sha256();
        sha.write(bytes, 0, bytes.length);
        return sha.hex();
    }

    @Override
    public void write(int b) {
        digest.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        digest.update(b, off, len);
        count += len;
    }

    public long count() {
        return count;
    }

    /** Ends the digest: call once, after the last write. */
    public String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
