package org.sfkit.proxy.socks;

// STUB for compilation; replaced by the socks branch
/** RFC 1929 username and password the SOCKS server requires. */
public record SocksCredentials(String username, String password) {
}
