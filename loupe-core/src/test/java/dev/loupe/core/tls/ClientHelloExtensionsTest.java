package dev.loupe.core.tls;

import static dev.loupe.core.tls.ClientHelloFixtures.alpn;
import static dev.loupe.core.tls.ClientHelloFixtures.ascii;
import static dev.loupe.core.tls.ClientHelloFixtures.concat;
import static dev.loupe.core.tls.ClientHelloFixtures.extension;
import static dev.loupe.core.tls.ClientHelloFixtures.handshake;
import static dev.loupe.core.tls.ClientHelloFixtures.hello;
import static dev.loupe.core.tls.ClientHelloFixtures.helloPrefix;
import static dev.loupe.core.tls.ClientHelloFixtures.malformedReason;
import static dev.loupe.core.tls.ClientHelloFixtures.parseComplete;
import static dev.loupe.core.tls.ClientHelloFixtures.record;
import static dev.loupe.core.tls.ClientHelloFixtures.sni;
import static dev.loupe.core.tls.ClientHelloFixtures.supportedVersions;
import static dev.loupe.core.tls.ClientHelloFixtures.u16;
import static dev.loupe.core.tls.ClientHelloFixtures.u16Prefixed;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hand-made hellos for the extension rules that captured ones do not exercise. */
class ClientHelloExtensionsTest {

    @Test
    void extractsFieldsInTheClientsOrder() {
        byte[] bytes = hello(extension(0x1a1a, new byte[0]), sni("Mixed.Case.EXAMPLE"), alpn("http/1.1", "h2"),
                supportedVersions(0x3a3a, 0x0304), extension(0xfe0d, new byte[] {1, 2}));

        ClientHello hello = parseComplete(bytes);

        assertThat(hello.serverName()).isEqualTo("mixed.case.example");
        assertThat(hello.alpnProtocols()).containsExactly("http/1.1", "h2");
        assertThat(hello.supportedVersions()).containsExactly(0x3a3a, 0x0304);
        assertThat(hello.offersTls13()).isTrue();
        assertThat(hello.extensionTypes()).containsExactly(0x1a1a, 0, 16, 43, 0xfe0d);
        assertThat(hello.encryptedClientHello()).isTrue();
        assertThat(hello.cipherSuites()).containsExactly(0x1301);
        assertThat(hello.totalLength()).isEqualTo(bytes.length);
    }

    @Test
    void keyShareGroupsInTheClientsOrder() {
        byte[] shares = concat(u16(0x11ec), u16(3), new byte[3], u16(0x001d), u16(2), new byte[2]);

        ClientHello hello = parseComplete(hello(sni("a.example"), extension(51, u16Prefixed(shares))));

        assertThat(hello.keyShareGroups()).containsExactly(0x11ec, 0x001d);
        assertThat(hello.sentPostQuantumKeyShare()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
        "share longer than the list, 001d 0009 0000",
        "list length beyond the extension, 0011 001d 0002 0000",
        "trailing byte after the shares, 11ec 0001 00 ff"})
    void aKeyShareListThatDoesNotAddUpLeavesTheGroupsEmptyButTheHelloParses(String what, String hex) {
        byte[] body = java.util.HexFormat.of().parseHex(hex.replace(" ", ""));
        byte[] ext = what.startsWith("list length") ? body : u16Prefixed(body);

        ClientHello hello = parseComplete(hello(sni("a.example"), extension(51, ext)));

        assertThat(hello.keyShareGroups()).as(what).isEmpty();
        assertThat(hello.sentPostQuantumKeyShare()).isFalse();
        assertThat(hello.serverName()).isEqualTo("a.example");
    }

    @Test
    void aHelloWithoutKeySharesOffersNoPostQuantumShare() {
        ClientHello hello = parseComplete(hello(sni("a.example")));

        assertThat(hello.keyShareGroups()).isEmpty();
        assertThat(hello.sentPostQuantumKeyShare()).isFalse();
    }

    @Test
    void helloWithoutAnyExtensionBlock() {
        byte[] body = concat(helloPrefix(), u16Prefixed(u16(0x002f)), new byte[] {1, 0});

        ClientHello hello = parseComplete(record(0x16, handshake(1, body)));

        assertThat(hello.extensionTypes()).isEmpty();
        assertThat(hello.sni()).isEmpty();
        assertThat(hello.offersTls13()).isFalse();
        assertThat(hello.cipherSuites()).containsExactly(0x002f);
    }

    @Test
    void takesTheFirstHostNameEntryAndSkipsOtherNameTypes() {
        byte[] otherType = concat(new byte[] {7}, u16Prefixed(ascii("opaque\0bytes")));
        byte[] first = concat(new byte[] {0}, u16Prefixed(ascii("first.test")));
        byte[] second = concat(new byte[] {0}, u16Prefixed(ascii("second.test")));

        ClientHello hello = parseComplete(hello(extension(0, u16Prefixed(concat(otherType, first, second)))));

        assertThat(hello.sni()).contains("first.test");
    }

    @Test
    void sniWithOnlyOtherNameTypesLeavesServerNameEmpty() {
        byte[] otherType = concat(new byte[] {7}, u16Prefixed(ascii("x")));

        ClientHello hello = parseComplete(hello(extension(0, u16Prefixed(otherType))));

        assertThat(hello.serverName()).isNull();
        assertThat(hello.extensionTypes()).containsExactly(0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "localhost             | localhost",
        "_dmarc.Example.COM    | _dmarc.example.com",
        "xn--bcher-kva.example | xn--bcher-kva.example",
        "192.0.2.1             | 192.0.2.1",
    })
    void acceptsPlausibleHostNames(String sent, String expected) {
        assertThat(parseComplete(hello(sni(sent))).serverName()).isEqualTo(expected);
    }

    @Test
    void acceptsTheLongestLegalName() {
        String label = "a".repeat(63);
        String name = label + "." + label + "." + label + "." + "b".repeat(63);

        assertThat(name).hasSize(255);
        assertThat(parseComplete(hello(sni(name))).serverName()).isEqualTo(name);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "exa mple.test     | contains byte 0x20 at index 3",
        "a/b.test          | contains byte 0x2f at index 1",
        "evil.test:443     | contains byte 0x3a at index 9",
        "a..test           | has an empty label at index 2",
        ".test             | has an empty label at index 0",
        "trailing.test.    | ends with an empty label",
    })
    void refusesImplausibleHostNames(String sent, String problem) {
        assertThat(malformedReason(hello(sni(sent)))).isEqualTo("SNI host name at offset 56 " + problem);
    }

    @Test
    void refusesNulNonAsciiAndOverlongNames() {
        assertThat(malformedReason(hello(sni("good.test\0.evil"))))
                .isEqualTo("SNI host name at offset 56 contains byte 0x00 at index 9");
        assertThat(malformedReason(hello(sni("b\u00fccher.test"))))
                .isEqualTo("SNI host name at offset 56 contains byte 0xfc at index 1");
        assertThat(malformedReason(hello(sni("a".repeat(64) + ".test"))))
                .isEqualTo("SNI host name at offset 56 has a label longer than 63 bytes at index 63");
        assertThat(malformedReason(hello(sni("a.".repeat(128)))))
                .isEqualTo("SNI host name at offset 56 has length 256, outside 1..255");
        assertThat(malformedReason(hello(sni(""))))
                .isEqualTo("SNI host name at offset 56 has length 0, outside 1..255");
    }
}
