package dev.loupe.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class OriginTest {
    @ParameterizedTest
    @CsvSource({
        "example.org:443, example.org, 443",
        "EXAMPLE.org:8443, example.org, 8443",
        "[::1]:8443, ::1, 8443",
        "[2001:db8::1], 2001:db8::1, 443",
        "10.0.0.1:25, 10.0.0.1, 25",
        "example.org, example.org, 443",
    })
    void parsesConnectAuthorities(String authority, String host, int port) {
        Origin o = Origin.parseAuthority(authority, 443);
        assertThat(o.host()).isEqualTo(host);
        assertThat(o.port()).isEqualTo(port);
    }

    @Test
    void refusesBadAuthorities() {
        assertThatThrownBy(() -> Origin.parseAuthority("example.org:http", 443)).hasMessageContaining("bad port");
        assertThatThrownBy(() -> Origin.parseAuthority(":443", 443)).hasMessageContaining("missing host");
        assertThatThrownBy(() -> Origin.parseAuthority("example.org:0", 443)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Origin.parseAuthority("example.org:70000", 443)).hasMessageContaining("out of range");
    }

    @Test
    void authorityBracketsIpv6() {
        assertThat(new Origin("::1", 443).authority()).isEqualTo("[::1]:443");
    }
}
