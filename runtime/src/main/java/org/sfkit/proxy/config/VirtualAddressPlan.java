package org.sfkit.proxy.config;

import java.util.Optional;

/**
 * The 10.0.0.N plan: {@code 10.0.0.N:p} is port {@code p} on party {@code N}, for N in 0..254.
 * The address is a label only; it is matched as text and never resolved or dialled.
 * {@code 10.0.0.255} is the subnet's broadcast address and names no party.
 */
public final class VirtualAddressPlan implements AddressPlan {
    /** The network part every virtual party address shares. */
    public static final String PREFIX = "10.0.0.";
    /** Highest party id the plan can name: 255 would be the broadcast address. */
    public static final int MAX_PARTY = 254;

    /** The virtual address of party {@code party}, e.g. {@code 10.0.0.2}. */
    public static String addressOf(int party) {
        if (party < 0 || party > MAX_PARTY) {
            throw new IllegalArgumentException("party id outside 0.." + MAX_PARTY + ": " + party);
        }
        return PREFIX + party;
    }

    @Override
    public Optional<PartyTarget> route(String host, int port) {
        if (host == null || !host.startsWith(PREFIX) || port < 1 || port > 65535) {
            return Optional.empty();
        }
        int party = parseOctet(host.substring(PREFIX.length()));
        return party >= 0 && party <= MAX_PARTY ? Optional.of(new PartyTarget(party, port)) : Optional.empty();
    }

    /** A decimal octet as the JDK prints it (no sign, no leading zeros), or -1. */
    private static int parseOctet(String text) {
        if (text.isEmpty() || text.length() > 3 || (text.length() > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    @Override
    public String toString() {
        return "10.0.0.N:p -> party N port p";
    }
}
