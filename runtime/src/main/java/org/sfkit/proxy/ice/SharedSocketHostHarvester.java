package org.sfkit.proxy.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ice4j.ice.Component;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.AbstractCandidateHarvester;

/**
 * ice4j's host harvester for a shared socket: one host candidate per host address, all on the
 * socket's port, each with its own STUN view registered with the agent's STUN stack. ice4j's own
 * host harvester would bind sockets of its own.
 */
final class SharedSocketHostHarvester extends AbstractCandidateHarvester {
    private static final Logger LOG = Logger.getLogger(SharedSocketHostHarvester.class.getName());

    private final List<InetAddress> hosts;
    private final int port;
    private final StunDemux demux;

    SharedSocketHostHarvester(List<InetAddress> hosts, int port, StunDemux demux) {
        this.hosts = List.copyOf(hosts);
        this.port = port;
        this.demux = demux;
    }

    @Override
    public boolean isHostHarvester() {
        return true;
    }

    @Override
    public Collection<LocalCandidate> harvest(Component component) {
        List<LocalCandidate> made = new ArrayList<>();
        for (InetAddress host : hosts) {
            try {
                SharedStunSocket view = new SharedStunSocket(demux, new InetSocketAddress(host, port));
                demux.add(view);
                component.getParentStream().getParentAgent().getStunStack().addSocket(view);
                SharedHostCandidate candidate = new SharedHostCandidate(view, component);
                if (component.addLocalCandidate(candidate)) {
                    made.add(candidate);
                }
            } catch (SocketException e) {
                LOG.log(Level.WARNING, "no host candidate on " + host, e);
            }
        }
        return made;
    }
}
