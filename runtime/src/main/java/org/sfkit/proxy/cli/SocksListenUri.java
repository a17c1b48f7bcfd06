package org.sfkit.proxy.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.sfkit.proxy.socks.SocksCredentials;

/**
 * The {@code -socks} value: {@code socks5://[user:pass@]host:port}. Like the Go peer, any scheme
 * other than {@code socks5} is an error. An empty host means loopback (the Go peer would listen on
 * every interface; an open SOCKS proxy into the study's parties is not a safe default): say
 * {@code 0.0.0.0} to listen everywhere.
 */
record SocksListenUri(InetSocketAddress bind, SocksCredentials credentials) {

    static SocksListenUri parse(String value) throws ConfigException {
        URI uri;
        try {
            // java.net.URI refuses an empty host before the port ("socks5://:7080"), which Go accepts.
            uri = new URI(value.strip().replaceFirst("^(socks5://(?:[^@/]*@)?):", "$1127.0.0.1:"));
        } catch (URISyntaxException e) {
            throw new ConfigException("invalid SOCKS URI " + value + ": " + e.getMessage());
        }
        if (!"socks5".equals(uri.getScheme())) {
            throw new ConfigException("invalid SOCKS URI scheme: " + uri.getScheme() + ", expected: socks5");
        }
        // A server-based authority is needed for host and port; URI falls back to "registry-based" otherwise.
        if (uri.getRawAuthority() == null) {
            throw new ConfigException("SOCKS URI needs host:port, e.g. socks5://localhost:7080: " + value);
        }
        try {
            uri = uri.parseServerAuthority();
        } catch (URISyntaxException e) {
            throw new ConfigException("invalid SOCKS URI " + value + ": " + e.getMessage());
        }
        if (uri.getPort() < 0) {
            throw new ConfigException("SOCKS URI has no port: " + value);
        }
        String host = uri.getHost();
        InetAddress address;
        try {
            address = host == null || host.isEmpty() ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ConfigException("unknown SOCKS listen host: " + host);
        }
        return new SocksListenUri(new InetSocketAddress(address, uri.getPort()), credentials(uri.getRawUserInfo()));
    }

    private static SocksCredentials credentials(String rawUserInfo) throws ConfigException {
        if (rawUserInfo == null) {
            return null;
        }
        int colon = rawUserInfo.indexOf(':');
        if (colon < 0) {
            throw new ConfigException("SOCKS URI user needs a password: socks5://user:password@host:port");
        }
        try {
            return new SocksCredentials(decode(rawUserInfo.substring(0, colon)), decode(rawUserInfo.substring(colon + 1)));
        } catch (IllegalArgumentException e) { // RFC 1929 section 2: each field at most 255 bytes
            throw new ConfigException("SOCKS URI credentials: " + e.getMessage(), e);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
