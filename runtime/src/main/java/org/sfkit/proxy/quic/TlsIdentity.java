package org.sfkit.proxy.quic;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** Our own certificate and its private key (spec section 6: self-signed RSA-2048). */
public record TlsIdentity(X509Certificate certificate, PrivateKey privateKey) {
}
