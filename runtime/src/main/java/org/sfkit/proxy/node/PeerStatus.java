package org.sfkit.proxy.node;

import java.time.Duration;
import org.sfkit.proxy.ice.IcePath;

/**
 * A signalled peer's current link, for reports.
 *
 * @param setup from the start of the ICE attempt to the authenticated QUIC connection
 */
public record PeerStatus(int pid, IcePath path, Duration setup) {
}
