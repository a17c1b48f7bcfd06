package org.sfkit.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TomlAddressPlanTest {
    private static TomlAddressPlan sfkitPlan(int localPid) throws Exception {
        return TomlAddressPlan.load(Path.of(TomlAddressPlanTest.class.getResource("configGlobal.toml").toURI()), localPid);
    }

    /** Empty party/port columns: no route. Three parties, two threads, default sfkit ports. */
    @ParameterizedTest(name = "pid {0}: {1}:{2} -> party {3} port {4}")
    @CsvSource({
        // party 2 is the client of 0 (8300+t) and of 1 (9300+t)
        "2, 127.0.0.1, 8300, 0, 8300",
        "2, 127.0.0.1, 8301, 0, 8301",
        "2, 127.0.0.1, 8302,  ,",
        "2, 127.0.0.1, 8299,  ,",
        "2, localhost, 8300, 0, 8300",
        "2, ::1,       9300, 1, 9300",
        "2, [::1],     9301, 1, 9301",
        "2, 0:0:0:0:0:0:0:1, 9301, 1, 9301",
        "2, 127.0.0.1, 8200,  ,",
        "2, 10.0.0.0,  8300,  ,",
        "2, 127.0.0.2, 8300,  ,",
        // party 1 is the client of 0 (8200+t) and the server of 2: nothing to route for 9300
        "1, 127.0.0.1, 8200, 0, 8200",
        "1, 127.0.0.1, 8201, 0, 8201",
        "1, 127.0.0.1, 9300,  ,",
        "1, 127.0.0.1, 8300,  ,",
        // party 0 is everyone's server: routes nothing
        "0, 127.0.0.1, 8200,  ,",
        "0, 127.0.0.1, 8300,  ,",
    })
    void routesClientConnectionsToTheirServer(int localPid, String host, int port, Integer party, Integer targetPort) throws Exception {
        TomlAddressPlan plan = sfkitPlan(localPid);
        if (party == null) {
            assertThat(plan.route(host, port)).isEmpty();
        } else {
            assertThat(plan.route(host, port)).contains(new PartyTarget(party, targetPort));
        }
    }

    @Test
    void recordsWhereTheLocalToolListensAsServer() throws Exception {
        assertThat(sfkitPlan(0).localListeners()).isEqualTo(Map.of(1, List.of(8200, 8201), 2, List.of(8300, 8301)));
        assertThat(sfkitPlan(1).localListeners()).isEqualTo(Map.of(2, List.of(9300, 9301)));
        assertThat(sfkitPlan(2).localListeners()).isEmpty();
        assertThat(sfkitPlan(2).remoteServers()).isEqualTo(Map.of(0, List.of(8300, 8301), 1, List.of(9300, 9301)));
        assertThat(sfkitPlan(2).threads()).isEqualTo(2);
    }

    @Test
    void routesAServersOwnAddressWhenNotRewrittenToLoopback() throws Exception {
        // SF-GWAS' own example format (inline port tables); 192.0.2.10 is a label here, never dialled.
        TomlAddressPlan plan = TomlAddressPlan.fromToml(TomlParser.parse("""
                mpc_num_threads = 3
                [servers.party0]
                ipaddr = "192.0.2.10"
                ports = { party1 = "8020", party2 = "8040" }
                [servers.party1]
                ipaddr = "192.0.2.11"
                ports = { party2 = "8060" }
                [servers.party2]
                ipaddr = "192.0.2.12"
                ports = {}
                """), 2);
        assertThat(plan.route("192.0.2.10", 8042)).contains(new PartyTarget(0, 8042));
        assertThat(plan.route("127.0.0.1", 8042)).contains(new PartyTarget(0, 8042));
        assertThat(plan.route("192.0.2.11", 8060)).contains(new PartyTarget(1, 8060));
        assertThat(plan.route("192.0.2.11", 8040)).isEmpty();
        assertThat(plan.route("192.0.2.10", 8043)).isEmpty();
    }

    @Test
    void threadsDefaultToOneAndIntegerPortsAreAccepted() throws Exception {
        TomlAddressPlan plan = TomlAddressPlan.fromToml(TomlParser.parse("""
                [servers.party3]
                ipaddr = "127.0.0.1"
                ports.party7 = 5000
                """), 7);
        assertThat(plan.route("127.0.0.1", 5000)).contains(new PartyTarget(3, 5000));
        assertThat(plan.route("127.0.0.1", 5001)).isEmpty();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "mpc_num_threads = 0|mpc_num_threads",
        "mpc_num_threads = \"2\"|mpc_num_threads",
        "[servers.partyX]\\nipaddr = \"127.0.0.1\"\\nports = { party1 = \"1\" }|party id",
        "[servers.party0]\\nipaddr = \"127.0.0.1\"\\nports = { party1 = \"http\" }|not a port",
        "[servers.party0]\\nipaddr = \"127.0.0.1\"\\nports = { party1 = \"70000\" }|out of range",
        "mpc_num_threads = 10\\n[servers.party0]\\nipaddr = \"127.0.0.1\"\\nports = { party1 = \"65530\" }|past 65535",
        "[servers.party0]\\nports = { party1 = \"8020\" }|ipaddr missing",
        "servers = 1|must be a table",
    })
    void refusesInvalidConfigurations(String document, String message) {
        assertThatThrownBy(() -> TomlAddressPlan.fromToml(TomlParser.parse(document.replace("\\n", "\n")), 1))
                .isInstanceOf(TomlException.class)
                .hasMessageContaining(message);
    }
}
