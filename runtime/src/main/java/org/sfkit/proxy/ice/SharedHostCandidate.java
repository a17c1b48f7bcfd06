package org.sfkit.proxy.ice;

import org.ice4j.TransportAddress;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.socket.IceSocketWrapper;

/**
 * A host candidate on a shared socket. ice4j's own {@code getStunSocket} insists on its
 * {@code MultiplexingDatagramSocket} (which cuts datagrams at 1500 bytes, field notes); ours
 * answers with the candidate's STUN view, which already sees only STUN.
 */
final class SharedHostCandidate extends HostCandidate {
    private final SharedStunSocket view;

    SharedHostCandidate(SharedStunSocket view, Component component) {
        super(view, component);
        this.view = view;
    }

    @Override
    public IceSocketWrapper getStunSocket(TransportAddress serverAddress) {
        return view;
    }
}
