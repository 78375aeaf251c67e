package dev.loupe.core.pki;

import static dev.loupe.core.pki.TestPki.NOW;
import static dev.loupe.core.pki.TestPki.dns;
import static dev.loupe.core.pki.TestPki.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CertificateNamesTest {
    private static final Set<String> NONE = Set.of();

    private static CertificateNames names(String cn, Set<String> dnsNames, Set<String> ips) {
        return new CertificateNames(cn, new TreeSet<>(dnsNames), new TreeSet<>(ips));
    }

    @Test
    void equalityIsByNormalisedValue() {
        CertificateNames a = names("x", Set.of("WWW.Example.COM"), Set.of("::1", "10.0.0.1"));
        CertificateNames b = names("x", Set.of("www.example.com"), Set.of("0:0:0:0:0:0:0:1", "10.0.0.1"));

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.dnsNames()).containsExactly("www.example.com");
        assertThat(a.ipAddresses()).containsExactly("0:0:0:0:0:0:0:1", "10.0.0.1");
        assertThat(a).isNotEqualTo(names("y", Set.of("www.example.com"), Set.of("::1", "10.0.0.1")));
    }

    @Test
    void setsAreImmutable() {
        CertificateNames names = CertificateNames.forHost("example.com");

        assertThatThrownBy(() -> names.dnsNames().add("evil.com")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> names.ipAddresses().add("1.2.3.4")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void forHostClassifiesIpLiteralsSyntactically() {
        assertThat(CertificateNames.forHost("Example.com")).isEqualTo(names("example.com", Set.of("example.com"), NONE));
        assertThat(CertificateNames.forHost("192.0.2.7")).isEqualTo(names("192.0.2.7", NONE, Set.of("192.0.2.7")));
        CertificateNames v6 = CertificateNames.forHost("[2001:db8::1]");
        assertThat(v6).isEqualTo(CertificateNames.forHost("2001:db8:0:0:0:0:0:1"));
        assertThat(v6.ipAddresses()).containsExactly("2001:db8:0:0:0:0:0:1");
        assertThat(v6.dnsNames()).isEmpty();
        // Not dotted quads: these are (odd) host names, never resolved or guessed to be addresses.
        assertThat(CertificateNames.forHost("1.2.3").dnsNames()).containsExactly("1.2.3");
        assertThat(CertificateNames.forHost("010.0.0.1").dnsNames()).containsExactly("010.0.0.1");
    }

    @Test
    void withAddsOnlyMissingNames() {
        CertificateNames names = CertificateNames.forHost("a.example");

        CertificateNames more = names.with("B.example").with("::1").with("127.0.0.1");

        assertThat(more.commonName()).isEqualTo("a.example");
        assertThat(more.dnsNames()).containsExactly("a.example", "b.example");
        assertThat(more.ipAddresses()).containsExactly("0:0:0:0:0:0:0:1", "127.0.0.1");
        assertThat(more.with("A.EXAMPLE")).isSameAs(more);
        assertThat(more.with("0:0:0:0:0:0:0:1")).isSameAs(more);
    }

    @Test
    void coversExactNamesAndSingleLabelWildcards() {
        CertificateNames names = names(null, Set.of("*.example.com", "example.org"), Set.of("192.0.2.1"));

        assertThat(names.covers("a.example.com")).isTrue();
        assertThat(names.covers("A.Example.Com")).isTrue();
        assertThat(names.covers("example.com")).isFalse();
        assertThat(names.covers("a.b.example.com")).isFalse();
        assertThat(names.covers("example.org")).isTrue();
        assertThat(names.covers("www.example.org")).isFalse();
        assertThat(names.covers("192.0.2.1")).isTrue();
        assertThat(names.covers("192.0.2.2")).isFalse();
    }

    @Test
    void isEmptyWithoutAnySubjectAltName() {
        assertThat(names("only a CN", NONE, NONE).isEmpty()).isTrue();
        assertThat(names(null, NONE, Set.of("::1")).isEmpty()).isFalse();
        assertThat(names(null, Set.of("a.example"), NONE).isEmpty()).isFalse();
    }

    @Test
    void mirroringCopiesCommonNameAndAllSans() throws Exception {
        X509Certificate upstream = TestPki.upstream("CN=Shop,O=Example", List.of(dns("shop.example"),
                dns("*.Shop.example"), ip("203.0.113.5"), ip("2001:db8::5")), NOW, NOW.plusSeconds(60));

        CertificateNames names = CertificateNames.mirroring(upstream);

        assertThat(names.commonName()).isEqualTo("Shop");
        assertThat(names.dnsNames()).containsExactly("*.shop.example", "shop.example");
        assertThat(names.ipAddresses()).containsExactly("2001:db8:0:0:0:0:0:5", "203.0.113.5");
    }

    @Test
    void mirroringFallsBackToTheCommonNameWhenThereAreNoSans() throws Exception {
        CertificateNames host = CertificateNames.mirroring(
                TestPki.upstream("CN=Legacy.example", List.of(), NOW, NOW.plusSeconds(60)));
        CertificateNames address = CertificateNames.mirroring(
                TestPki.upstream("CN=198.51.100.9", List.of(), NOW, NOW.plusSeconds(60)));
        CertificateNames label = CertificateNames.mirroring(
                TestPki.upstream("CN=Acme Web Server", List.of(), NOW, NOW.plusSeconds(60)));

        assertThat(host).isEqualTo(names("Legacy.example", Set.of("legacy.example"), NONE));
        assertThat(address).isEqualTo(names("198.51.100.9", NONE, Set.of("198.51.100.9")));
        assertThat(label.isEmpty()).isTrue();
    }

    @Test
    void mirroringWithoutCommonName() throws Exception {
        CertificateNames names = CertificateNames.mirroring(
                TestPki.upstream("O=No CN", List.of(dns("x.example")), NOW, NOW.plusSeconds(60)));

        assertThat(names.commonName()).isNull();
        assertThat(names.dnsNames()).containsExactly("x.example");
    }

    @Test
    void invalidIpAddressIsRejectedNamingTheField() {
        assertThatThrownBy(() -> names(null, NONE, Set.of("not-an-ip")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ipAddresses")
                .hasMessageContaining("'not-an-ip'");
    }
}
