package org.sfkit.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VirtualAddressPlanTest {
    private final VirtualAddressPlan plan = new VirtualAddressPlan();

    @ParameterizedTest(name = "{0}:{1} -> party {2} port {3}")
    @CsvSource({
        "10.0.0.0,   80,    0,   80",
        "10.0.0.1,   8020,  1,   8020",
        "10.0.0.2,   1,     2,   1",
        "10.0.0.254, 65535, 254, 65535",
    })
    void routesPartyAddresses(String host, int port, int party, int targetPort) {
        assertThat(plan.route(host, port)).contains(new PartyTarget(party, targetPort));
    }

    @ParameterizedTest(name = "{0}:{1} is no party")
    @CsvSource({
        "10.0.0.255, 80",   // broadcast
        "10.0.0.256, 80",
        "10.0.0.01,  80",   // not the JDK's spelling of 10.0.0.1
        "10.0.0.-1,  80",
        "10.0.0.1x,  80",
        "10.0.0.,    80",
        "10.0.1.1,   80",
        "110.0.0.1,  80",
        "127.0.0.1,  80",
        "example.com, 80",
        "10.0.0.1.example.com, 80",
        "10.0.0.1,   0",
        "10.0.0.1,   65536",
        "10.0.0.1,   -1",
    })
    void ignoresOtherAddresses(String host, int port) {
        assertThat(plan.route(host, port)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"0", "7", "254"})
    void addressOfRoundTrips(int party) {
        assertThat(plan.route(VirtualAddressPlan.addressOf(party), 443)).contains(new PartyTarget(party, 443));
    }

    @ParameterizedTest
    @CsvSource({"-1", "255"})
    void addressOfRefusesNonParties(int party) {
        assertThatThrownBy(() -> VirtualAddressPlan.addressOf(party)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullHostIsNoParty() {
        assertThat(plan.route(null, 80)).isEqualTo(Optional.empty());
    }
}
