package org.sfkit.proxy.node;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;

/** A peer known without signalling ({@code --peer N=host:port --peer-cert N=FILE}). */
public record StaticPeer(int pid, InetSocketAddress endpoint, X509Certificate certificate) {
}
