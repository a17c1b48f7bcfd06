package org.sfkit.proxy.signal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code data} of a {@code candidate} message: an ICE candidate in SDP text form
 * (RFC 8839 5.1) without the {@code candidate:} prefix, as pion's {@code Candidate.Marshal}
 * writes it: {@code foundation component transport priority ip port typ type [raddr ip rport
 * port]}, e.g. {@code 3262471577 1 udp 1694498815 203.0.113.7 61234 typ srflx raddr 10.128.0.5
 * rport 40000}.
 *
 * <p>Other extension attributes (e.g. {@code generation 0} from browsers) are kept in order and
 * written after {@code raddr}/{@code rport}, so a line we did not write round-trips unless its
 * extensions came before {@code raddr}.
 *
 * @param ip the address text as received (IPv4, IPv6 or an mDNS name); not resolved
 * @param relatedAddress {@code raddr} and {@code rport}, present for srflx/relay candidates
 */
public record CandidateLine(String foundation, int component, String transport, long priority,
        String ip, int port, String type, Optional<Related> relatedAddress,
        List<Map.Entry<String, String>> extensions) {

    /** The {@code raddr}/{@code rport} pair. */
    public record Related(String ip, int port) {
        public Related {
            Objects.requireNonNull(ip, "ip");
        }
    }

    private static final String PREFIX = "candidate:";
    /** foundation, component, transport, priority, ip, port, "typ", type. */
    private static final int MANDATORY_FIELDS = 8;

    public CandidateLine {
        Objects.requireNonNull(foundation, "foundation");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(relatedAddress, "relatedAddress");
        extensions = List.copyOf(extensions);
    }

    /** A candidate with no extension attributes. */
    public CandidateLine(String foundation, int component, String transport, long priority,
            String ip, int port, String type, Optional<Related> relatedAddress) {
        this(foundation, component, transport, priority, ip, port, type, relatedAddress,
                List.of());
    }

    /** Parses a candidate line, with or without a leading {@code candidate:}. */
    public static CandidateLine parse(String text) {
        String line = text.strip();
        if (line.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            line = line.substring(PREFIX.length());
        }
        String[] f = line.split("\\s+");
        if (f.length < MANDATORY_FIELDS || !f[6].equals("typ") || (f.length - MANDATORY_FIELDS) % 2 != 0) {
            throw new MalformedSignalException("malformed ICE candidate: " + text);
        }
        try {
            String raddr = null;
            Integer rport = null;
            List<Map.Entry<String, String>> extensions = new ArrayList<>();
            for (int i = MANDATORY_FIELDS; i < f.length; i += 2) {
                switch (f[i]) {
                    case "raddr" -> raddr = f[i + 1];
                    case "rport" -> rport = port(f[i + 1]);
                    default -> extensions.add(Map.entry(f[i], f[i + 1]));
                }
            }
            if ((raddr == null) != (rport == null)) {
                throw new MalformedSignalException("raddr without rport or back: " + text);
            }
            Optional<Related> related = raddr == null
                    ? Optional.empty() : Optional.of(new Related(raddr, rport));
            return new CandidateLine(f[0], Integer.parseInt(f[1]), f[2], Long.parseLong(f[3]),
                    f[4], port(f[5]), f[7], related, extensions);
        } catch (NumberFormatException e) {
            throw new MalformedSignalException("malformed number in ICE candidate: " + text, e);
        }
    }

    private static int port(String text) {
        int port = Integer.parseInt(text);
        if (port < 0 || port > 0xFFFF) {
            throw new MalformedSignalException("port out of range: " + text);
        }
        return port;
    }

    /** The text form without the {@code candidate:} prefix, as the Go peer sends it. */
    public String format() {
        StringBuilder s = new StringBuilder()
                .append(foundation).append(' ').append(component).append(' ')
                .append(transport).append(' ').append(priority).append(' ')
                .append(ip).append(' ').append(port).append(" typ ").append(type);
        relatedAddress.ifPresent(r -> s.append(" raddr ").append(r.ip())
                .append(" rport ").append(r.port()));
        extensions.forEach(e -> s.append(' ').append(e.getKey()).append(' ').append(e.getValue()));
        return s.toString();
    }

    @Override
    public String toString() {
        return format();
    }
}
