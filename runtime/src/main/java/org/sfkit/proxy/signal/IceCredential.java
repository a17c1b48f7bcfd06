package org.sfkit.proxy.signal;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * The {@code data} of a {@code credential} message: the sender's ICE username fragment and
 * password, JSON {@code {"ufrag":"...","pwd":"..."}}, sent once per peer.
 */
public record IceCredential(String ufrag, String pwd) {
    /** pion's lengths: 16 letters (~91 bits) exceed RFC 8445 5.3's 24-bit ufrag minimum. */
    static final int UFRAG_LENGTH = 16;
    /** 32 letters (~182 bits) exceed RFC 8445 5.3's 128-bit password minimum. */
    static final int PWD_LENGTH = 32;
    /** pion draws from letters only; a peer may reject other ICE-chars, so we do the same. */
    private static final String LETTERS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final SecureRandom RANDOM = new SecureRandom();

    public IceCredential {
        Objects.requireNonNull(ufrag, "ufrag");
        Objects.requireNonNull(pwd, "pwd");
    }

    /** A fresh random credential (one per peer and per ICE restart). */
    public static IceCredential generate() {
        return new IceCredential(randomLetters(UFRAG_LENGTH), randomLetters(PWD_LENGTH));
    }

    private static String randomLetters(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(LETTERS.charAt(RANDOM.nextInt(LETTERS.length())));
        }
        return s.toString();
    }

    public String toJson() {
        return GoJson.object().string("ufrag", ufrag).string("pwd", pwd).end();
    }

    /** Parses the {@code data} of a credential message; unknown keys are ignored, as Go does. */
    public static IceCredential fromJson(String json) {
        JsonFields fields = JsonFields.parse(json, "ICE credential");
        return new IceCredential(fields.string("ufrag"), fields.string("pwd"));
    }

    /** Never prints the password: logs must mask it (wire protocol section 1). */
    @Override
    public String toString() {
        return "IceCredential[ufrag=" + ufrag + ", pwd=***]";
    }
}
