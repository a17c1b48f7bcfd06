package org.sfkit.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AddressPlansTest {
    @Test
    void firstMatchingPlanWins() {
        AddressPlan first = (host, port) -> host.equals("both") || host.equals("first")
                ? Optional.of(new PartyTarget(1, port)) : Optional.empty();
        AddressPlan second = (host, port) -> host.equals("both") || host.equals("second")
                ? Optional.of(new PartyTarget(2, port)) : Optional.empty();
        AddressPlan combined = AddressPlans.combine(first, second);

        assertThat(combined.route("both", 80)).contains(new PartyTarget(1, 80));
        assertThat(combined.route("first", 80)).contains(new PartyTarget(1, 80));
        assertThat(combined.route("second", 80)).contains(new PartyTarget(2, 80));
        assertThat(combined.route("neither", 80)).isEmpty();
    }

    @Test
    void virtualAddressesAndTomlAddressesBothRoute() throws Exception {
        TomlAddressPlan toml = TomlAddressPlan.fromToml(TomlParser.parse("""
                mpc_num_threads = 1
                [servers.party0]
                ipaddr = "127.0.0.1"
                ports = { party1 = "8200" }
                """), 1);
        AddressPlan plan = AddressPlans.combine(new VirtualAddressPlan(), toml);

        assertThat(plan.route("10.0.0.0", 5000)).contains(new PartyTarget(0, 5000));
        assertThat(plan.route("127.0.0.1", 8200)).contains(new PartyTarget(0, 8200));
        assertThat(plan.route("127.0.0.1", 8201)).isEmpty();
    }
}
