package org.sfkit.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sfkit.proxy.it.harness.Cluster;
import org.sfkit.proxy.it.harness.EofEchoServer;
import org.sfkit.proxy.it.harness.ItEnvironment;
import org.sfkit.proxy.it.harness.Socks5Client;
import org.sfkit.proxy.it.harness.Socks5Client.AddressType;
import org.sfkit.proxy.it.harness.TestFiles;

/**
 * Three parties: every ordered pair in both directions, so both roles open streams (a lower PID
 * opening toward a higher one rides a connection where it is the QUIC server), and the death of
 * one party leaves the others working.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ThreePartyIT {
    private static final int PARTIES = 3;
    /** Several stream windows' worth, so each direction of each pair carries real flow. */
    private static final int PAYLOAD_SIZE = 2 << 20;

    private static final Map<String, Cluster> CLUSTERS = new HashMap<>();

    @AfterAll
    static void stopAll() throws IOException {
        for (Cluster cluster : CLUSTERS.values()) {
            cluster.close();
        }
        CLUSTERS.clear();
    }

    private static synchronized Cluster cluster(String engine) throws IOException, InterruptedException {
        Cluster cluster = CLUSTERS.get(engine);
        if (cluster == null) {
            cluster = Cluster.start("ThreePartyIT-" + engine, engine, PARTIES);
            CLUSTERS.put(engine, cluster);
        }
        return cluster;
    }

    static Stream<Arguments> orderedPairs() {
        return ItEnvironment.engineNames().flatMap(engine -> IntStream.range(0, PARTIES).boxed()
                .flatMap(from -> IntStream.range(0, PARTIES).filter(to -> to != from)
                        .mapToObj(to -> Arguments.of(engine, from, to))));
    }

    @ParameterizedTest(name = "{0}: party {1} -> party {2}")
    @MethodSource("orderedPairs")
    void everyPartyReachesEveryOther(String engine, int from, int to) throws Exception {
        Cluster cluster = cluster(engine);
        byte[] payload = TestFiles.bytes(from * PARTIES + to, PAYLOAD_SIZE);

        int earlierCallers = cluster.echo().callers().size();

        assertThat(roundTrip(cluster, from, to, payload)).isEqualTo(payload);
        // Every party shares 127.0.0.1 here, so the echo alone cannot tell who called: the
        // socket's owner can. Party "to"'s proxy, and no other, must have made the connection.
        List<EofEchoServer.Caller> callers = cluster.echo().callers();
        assertThat(callers.subList(earlierCallers, callers.size())).singleElement()
                .extracting(EofEchoServer.Caller::ownerPid)
                .isEqualTo(OptionalLong.of(cluster.proxy(to).pid()));
    }

    static Stream<Arguments> victims() {
        // Party 1 is the QUIC client of party 0 and the QUIC server of party 2: its death
        // exercises both roles; party 0 and 2 are the lone server and the lone client.
        return ItEnvironment.engineNames().flatMap(engine -> IntStream.range(0, PARTIES)
                .mapToObj(victim -> Arguments.of(engine, victim)));
    }

    @ParameterizedTest(name = "{0}: party {1} is killed, the other two still connect both ways")
    @MethodSource("victims")
    void killingOnePartyLeavesTheOthersWorking(String engine, int victim) throws Exception {
        try (Cluster cluster = Cluster.start("ThreePartyIT-kill" + victim + "-" + engine, engine, PARTIES)) {
            cluster.proxy(victim).kill();
            int[] survivors = IntStream.range(0, PARTIES).filter(pid -> pid != victim).toArray();
            byte[] payload = TestFiles.bytes(victim, PAYLOAD_SIZE);

            for (int from : survivors) {
                for (int to : survivors) {
                    if (from != to) {
                        assertThat(roundTrip(cluster, from, to, payload)).as("party %d -> %d", from, to)
                                .isEqualTo(payload);
                    }
                }
            }
            for (int pid : survivors) {
                assertThat(cluster.proxy(pid).isAlive()).as("%s is still running", cluster.proxy(pid)).isTrue();
            }
        }
    }

    /** Sends {@code payload} from party {@code from}'s SOCKS to the echo at party {@code to}, returns the echo. */
    private static byte[] roundTrip(Cluster cluster, int from, int to, byte[] payload) throws IOException {
        Socks5Client.Reply reply = Socks5Client.connect(cluster.socks(from), Cluster.partyHost(to),
                cluster.echoPort(), AddressType.IPV4);
        assertThat(reply.code()).as("SOCKS reply for party %d -> %d", from, to).isEqualTo(Socks5Client.SUCCEEDED);
        try (Socket socket = reply.socket()) {
            socket.getOutputStream().write(payload);
            socket.shutdownOutput();
            return socket.getInputStream().readAllBytes();
        }
    }
}
