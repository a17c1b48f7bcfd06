package org.sfkit.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SocksListenUriTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "socks5://localhost:7080,  127.0.0.1, 7080, ,",
        "socks5://127.0.0.1:1080,  127.0.0.1, 1080, ,",
        "socks5://:7081,           127.0.0.1, 7081, ,",
        "socks5://0.0.0.0:1080,    0.0.0.0,   1080, ,",
        "socks5://[::1]:1080,      ::1,       1080, ,",
        "socks5://alice:s3cret@localhost:7080, 127.0.0.1, 7080, alice, s3cret",
        "socks5://a%40b:p%3Aw@localhost:7080,  127.0.0.1, 7080, a@b,   p:w",
    })
    void parsesListenAddressAndCredentials(String uri, String host, int port, String user, String password) throws Exception {
        SocksListenUri parsed = SocksListenUri.parse(uri);
        assertThat(parsed.bind().getAddress()).isEqualTo(InetAddress.getByName(host));
        assertThat(parsed.bind().getPort()).isEqualTo(port);
        if (user == null) {
            assertThat(parsed.credentials()).isNull();
        } else {
            assertThat(parsed.credentials().username()).isEqualTo(user);
            assertThat(parsed.credentials().password()).isEqualTo(password);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "http://localhost:7080|invalid SOCKS URI scheme: http",
        "socks5h://localhost:7080|invalid SOCKS URI scheme: socks5h",
        "localhost:7080|invalid SOCKS URI scheme",
        "socks5://localhost|no port",
        "socks5:localhost|needs host:port",
        "socks5://alice@localhost:7080|needs a password",
        "socks5://no such host:1|invalid SOCKS URI",
    })
    void refusesOtherUris(String uri, String message) {
        assertThatThrownBy(() -> SocksListenUri.parse(uri)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }
}
