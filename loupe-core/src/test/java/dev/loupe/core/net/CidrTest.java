package dev.loupe.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CidrTest {
    @ParameterizedTest
    @CsvSource({
        "127.0.0.0/8, 127.1.2.3, true",
        "127.0.0.0/8, 128.0.0.1, false",
        "10.1.2.3, 10.1.2.3, true",
        "10.1.2.3, 10.1.2.4, false",
        "::1/128, ::1, true",
        "::1/128, ::2, false",
        "2001:db8::/32, 2001:db8:ffff::1, true",
        "127.0.0.0/8, ::ffff:127.0.0.1, true",
        "0.0.0.0/0, 192.0.2.1, true",
        "0.0.0.0/0, ::1, false",
    })
    void containment(String cidr, String address, boolean expected) throws Exception {
        assertThat(Cidr.parse(cidr).contains(InetAddress.getByName(address))).isEqualTo(expected);
    }

    @Test
    void refusesNamesWithoutResolvingThem() {
        assertThatThrownBy(() -> Cidr.parse("localhost")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("prefix length 33");
        assertThat(IpLiterals.isLiteral("example.com")).isFalse();
        assertThat(IpLiterals.isLiteral("[::1]")).isTrue();
        assertThat(IpLiterals.isLiteral("1.2.3.256")).isFalse();
    }
}
