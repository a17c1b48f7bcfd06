package org.sfkit.proxy.it.natlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sfkit.proxy.it.natlab.NatLab.Node;

/**
 * The lab is a real NAT, shown without our proxy: coturn sees a NATed host as its router's
 * public address, and the routers drop what nobody inside asked for.
 */
@Tag("natlab")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NatLabIT {
    /** Datagrams sent at a mapping by strangers; each must be dropped by the router. */
    private static final int UNSOLICITED_DATAGRAMS = 3;
    private static NatLab lab;

    @BeforeAll
    static void buildLab() throws Exception {
        NatLab.assumeAvailable();
        lab = NatLab.create("NatLabIT");
        lab.startStun();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @ParameterizedTest(name = "{0}: STUN sees its public address")
    @EnumSource(value = Node.class, names = {"H0", "H1", "H2"})
    void stunServerSeesTheRouterForANatedHost(Node host) throws Exception {
        try (Probe probe = Probe.start(lab, host)) {
            String mapped = probe.mappedAddress();
            assertThat(mapped).isEqualTo(NatLab.publicAddress(host));
            if (host != Node.H0) {
                assertThat(mapped).isNotEqualTo(NatLab.privateAddress(host));
            }
        }
    }

    /** So a 10.0.0.N address in a party's namespace can only be a SOCKS label, never a destination. */
    @ParameterizedTest(name = "{0}: no route to 10.0.0.0/24")
    @EnumSource(value = Node.class, names = {"H0", "H1", "H2"})
    void partiesHaveNoRouteToTheVirtualAddresses(Node host) throws Exception {
        assertThatThrownBy(() -> lab.exec(host, "ip", "route", "get", "10.0.0.1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Network is unreachable");
    }

    @Test
    void strangersCannotReachAMappingTheyWereNotAnsweringFrom() throws Exception {
        try (Probe probe = Probe.start(lab, Node.H1)) {
            String mapping = probe.mapping();
            String[] ipPort = mapping.split(":");
            long droppedBefore = lab.droppedInbound(Node.NAT1);
            // From the STUN server's own host on another port, and from another public host:
            // flows the mapping was not made for.
            for (Node stranger : List.of(Node.PUB, Node.H0)) {
                lab.exec(stranger, "bash", "-c", "for i in $(seq " + UNSOLICITED_DATAGRAMS + "); do "
                        + "echo unsolicited > /dev/udp/" + ipPort[0] + "/" + ipPort[1] + "; done");
            }
            StunProbeResult after = probe.askAgain();

            assertThat(after.mapping()).as("the mapping outlived the test").isEqualTo(mapping);
            assertThat(after.unsolicited()).as("datagrams from strangers that reached h1").isZero();
            assertThat(lab.droppedInbound(Node.NAT1) - droppedBefore)
                    .as("packets nat1's DROP rules discarded").isGreaterThanOrEqualTo(2L * UNSOLICITED_DATAGRAMS);
        }
    }

    record StunProbeResult(String mapping, int unsolicited) {
    }

    /** A {@link StunProbe} child JVM on a lab host, driven line by line. */
    private static final class Probe implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final List<String> seen = new ArrayList<>();

        private Probe(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static Probe start(NatLab lab, Node host) throws IOException {
            List<String> command = new ArrayList<>(lab.in(host));
            command.addAll(NatLab.javaCommand(StunProbe.class));
            command.addAll(List.of(NatLab.PUBLIC_IP, Integer.toString(NatLab.STUN_PORT)));
            return new Probe(new ProcessBuilder(command).redirectErrorStream(true).start());
        }

        /** {@code IP:PORT} as the STUN server saw the probe's socket. */
        String mapping() throws IOException {
            return line().substring(StunProbe.MAPPED.length());
        }

        String mappedAddress() throws IOException {
            return mapping().split(":")[0];
        }

        StunProbeResult askAgain() throws IOException {
            Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            in.write("again\n");
            in.flush();
            String[] parts = line().substring(StunProbe.MAPPED.length()).split(StunProbe.UNSOLICITED);
            return new StunProbeResult(parts[0], Integer.parseInt(parts[1]));
        }

        private String line() throws IOException {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                seen.add(line);
                if (line.startsWith(StunProbe.MAPPED)) {
                    return line;
                }
            }
            throw new IOException("the STUN probe ended without an answer: " + String.join("\n", seen));
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly().waitFor();
        }
    }
}
