/**
 * Signalling over the {@code /api/ice} WebSocket (wire protocol section 3), compatible with the
 * Go sfkit-proxy and the sfkit website.
 *
 * <p>{@link org.sfkit.proxy.signal.SignalMessage} is the frame (exactly five keys, written
 * byte-for-byte as Go's {@code encoding/json} writes them); its {@code data} is an
 * {@link org.sfkit.proxy.signal.IceCredential}, a {@link org.sfkit.proxy.signal.CandidateLine}
 * or a {@link org.sfkit.proxy.signal.CertificatePayload}. The only extension we use lives inside
 * a certificate's {@code data} (see {@code CertificatePayload}); the frame itself never carries
 * anything the website or a Go peer does not know.
 *
 * <p>{@link org.sfkit.proxy.signal.SignalingClient} connects, waits at the website's barrier,
 * dispatches by sender and reconnects; {@code org.sfkit.proxy.signal.server} is our own server
 * for running without the website; credentials come from {@code org.sfkit.proxy.auth}.
 */
package org.sfkit.proxy.signal;
