package org.sfkit.proxy.ice;

/**
 * The ice4j settings we need, set as system properties (ice4j reads its typesafe config, which
 * system properties override) before any ice4j class reads them. Every entry point into ice4j
 * in this package calls {@link #apply()} first.
 */
public final class Ice4jDefaults {
    /**
     * Off: with it on (ice4j's default) {@code new Agent()} asks the AWS metadata service at
     * 169.254.169.254 for a public address, a request we must never send (field notes).
     */
    public static final String AWS_MAPPING = "ice4j.harvest.mapping.aws.enabled";
    /**
     * Off: the Go peer and spec section 5 are IPv4 only; IPv6 candidates would only lengthen the
     * check list. (We gather our own host candidates, but ice4j's other harvesters read it too.)
     */
    public static final String USE_IPV6 = "ice4j.harvest.use-ipv6";

    private Ice4jDefaults() {
    }

    /** Idempotent; cheap. */
    public static synchronized void apply() {
        System.setProperty(AWS_MAPPING, "false");
        System.setProperty(USE_IPV6, "false");
    }
}
