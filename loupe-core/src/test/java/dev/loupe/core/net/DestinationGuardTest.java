package dev.loupe.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DestinationGuardTest {
    static final InetAddress OWN = IpLiterals.address("192.0.2.10").orElseThrow();

    private static DestinationGuard guard(boolean allowLocal) {
        DestinationGuard g = new DestinationGuard(allowLocal, () -> Set.of(OWN));
        g.addListener(new InetSocketAddress(IpLiterals.address("127.0.0.1").orElseThrow(), 8080));
        g.addListener(new InetSocketAddress(IpLiterals.address("0.0.0.0").orElseThrow(), 8081));
        return g;
    }

    private static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(IpLiterals.address(ip).orElseThrow(), port);
    }

    @ParameterizedTest(name = "{0}:{1} refused by default: {2}")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1       | 6379 | loopback",
        "127.8.9.10      | 80   | loopback",
        "::1             | 80   | loopback",
        "::ffff:127.0.0.1| 80   | loopback",
        "0.0.0.0         | 80   | unspecified",
        "169.254.169.254 | 80   | link-local",
        "fe80::1         | 80   | link-local",
        "192.0.2.10      | 22   | own addresses",
    })
    void localDestinationsAreRefusedByDefault(String ip, int port, String kind) {
        assertThat(guard(false).refuse(at(ip, port))).hasValueSatisfying(r ->
                assertThat(r).contains(kind).contains("upstream.local-destinations"));
        assertThat(guard(true).refuse(at(ip, port))).isEmpty();
    }

    @ParameterizedTest(name = "{0}:{1} is Loupe itself")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1  | 8080",
        "0.0.0.0    | 8080",
        "127.0.0.1  | 8081",
        "192.0.2.10 | 8081",
        "::ffff:127.0.0.1 | 8081",
    })
    void ownListenersAreRefusedEvenWhenLocalDestinationsAreAllowed(String ip, int port) {
        assertThat(guard(true).refuse(at(ip, port))).hasValueSatisfying(r -> assertThat(r).contains("own listeners"));
    }

    @Test
    void otherDestinationsPass() {
        assertThat(guard(false).refuse(at("198.51.100.7", 8080))).isEmpty();
        assertThat(guard(false).refuse(at("2001:db8::1", 443))).isEmpty();
        assertThat(guard(true).refuse(at("127.0.0.2", 8080))).as("another loopback address than the listener's")
                .isEmpty();
    }
}
