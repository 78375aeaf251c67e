package dev.loupe.core.tls;

import static dev.loupe.core.tls.ClientHelloFixtures.capture;
import static dev.loupe.core.tls.ClientHelloFixtures.parseComplete;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Hellos captured from real clients (see src/test/resources/clienthello/README.txt). */
class ClientHelloCapturedTest {
    static final List<String> captures = ClientHelloFixtures.CAPTURES;

    @Test
    void opensslWithSniAndAlpn() {
        ClientHello hello = parseComplete(capture("openssl-sni-alpn.bin"));

        assertThat(hello.sni()).contains("www.example.test");
        assertThat(hello.alpnProtocols()).containsExactly("h2", "http/1.1");
        assertThat(hello.offersAlpn("h2")).isTrue();
        assertThat(hello.offersAlpn("h3")).isFalse();
        assertThat(hello.offersAlpn(null)).isFalse();
        assertThat(hello.legacyVersion()).isEqualTo(0x0303);
        assertThat(hello.supportedVersions()).containsExactly(0x0304, 0x0303, 0x0302, 0x0301);
        assertThat(hello.offersTls13()).isTrue();
        assertThat(hello.cipherSuites()).hasSize(31).startsWith(0x1302, 0x1303, 0x1301);
        assertThat(hello.extensionTypes()).containsExactly(0, 11, 10, 35, 16, 22, 23, 13, 43, 45, 51);
        assertThat(hello.encryptedClientHello()).isFalse();
        assertThat(hello.totalLength()).isEqualTo(340);
    }

    @Test
    void opensslWithoutSni() {
        ClientHello hello = parseComplete(capture("openssl-nosni.bin"));

        assertThat(hello.serverName()).isNull();
        assertThat(hello.sni()).isEmpty();
        assertThat(hello.extensionTypes()).doesNotContain(0).containsExactly(11, 10, 35, 22, 23, 13, 43, 45, 51);
        assertThat(hello.alpnProtocols()).isEmpty();
        assertThat(hello.offersTls13()).isTrue();
        assertThat(hello.cipherSuites()).hasSize(31);
    }

    @Test
    void opensslTls12Only() {
        ClientHello hello = parseComplete(capture("openssl-tls12.bin"));

        assertThat(hello.sni()).contains("tls12.example.test");
        assertThat(hello.legacyVersion()).isEqualTo(0x0303);
        assertThat(hello.supportedVersions()).isEmpty();
        assertThat(hello.offersTls13()).isFalse();
        assertThat(hello.extensionTypes()).doesNotContain(43).containsExactly(0, 11, 10, 35, 22, 23, 13);
        assertThat(hello.cipherSuites()).hasSize(28).doesNotContain(0x1301, 0x1302, 0x1303);
    }

    @Test
    void curl() {
        ClientHello hello = parseComplete(capture("curl.bin"));

        assertThat(hello.sni()).contains("sni.example.test");
        assertThat(hello.alpnProtocols()).containsExactly("h2", "http/1.1");
        assertThat(hello.supportedVersions()).containsExactly(0x0304, 0x0303, 0x0302, 0x0301);
        assertThat(hello.cipherSuites()).hasSize(31);
        assertThat(hello.extensionTypes()).containsExactly(0, 11, 10, 16, 22, 23, 49, 13, 43, 45, 51, 21);
        assertThat(hello.totalLength()).isEqualTo(517); // padded to 512 + record header by the padding extension
        assertThat(hello.keyShareGroups()).containsExactly(0x001d); // X25519 only (OpenSSL 3.0)
        assertThat(hello.sentPostQuantumKeyShare()).isFalse();
    }

    @Test
    void chromiumWithGreaseAndEch() {
        ClientHello hello = parseComplete(capture("chromium.bin"));

        assertThat(hello.sni()).contains("chromium.example.test");
        assertThat(hello.alpnProtocols()).containsExactly("h2", "http/1.1");
        assertThat(hello.offersTls13()).isTrue();
        assertThat(hello.supportedVersions()).hasSize(3).endsWith(0x0304, 0x0303);
        assertThat(isGrease(hello.supportedVersions().getFirst())).isTrue();
        assertThat(hello.cipherSuites()).hasSize(16);
        assertThat(isGrease(hello.cipherSuites().getFirst())).isTrue();
        assertThat(hello.extensionTypes()).hasSize(19)
                .contains(0, 16, 43, 0xfe0d);
        assertThat(isGrease(hello.extensionTypes().getFirst())).isTrue();
        assertThat(isGrease(hello.extensionTypes().getLast())).isTrue();
        // Chromium sends a GREASE ECH extension by default, which looks like real ECH on the wire
        assertThat(hello.encryptedClientHello()).isTrue();
        assertThat(hello.toString()).contains("sni=chromium.example.test", "ech", "0x0304", "pq");
        // GREASE, X25519MLKEM768 (1,216 bytes) and X25519, as a script reading the capture's bytes lists them
        assertThat(hello.keyShareGroups()).containsExactly(0xdada, 0x11ec, 0x001d);
        assertThat(hello.sentPostQuantumKeyShare()).isTrue();
    }

    @ParameterizedTest
    @FieldSource("captures")
    void everyCaptureIsOneRecordHoldingExactlyTheHello(String name) {
        byte[] bytes = capture(name);

        ClientHello hello = parseComplete(bytes);

        assertThat(hello.totalLength()).isEqualTo(bytes.length);
        assertThat(hello.cipherSuites()).isNotEmpty();
        assertThat(hello.legacyVersion()).isEqualTo(0x0303);
    }

    @ParameterizedTest
    @FieldSource("captures")
    void byteArrayHeapAndDirectBuffersAgree(String name) {
        byte[] bytes = capture(name);
        byte[] padded = ClientHelloFixtures.concat(new byte[7], bytes, new byte[3]);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        ByteBuffer readOnly = ByteBuffer.wrap(bytes).asReadOnlyBuffer();

        ClientHelloParse expected = ClientHelloFixtures.parse(bytes);

        assertThat(ClientHelloParser.parse(padded, 7, bytes.length)).isEqualTo(expected);
        assertThat(ClientHelloParser.parse(direct)).isEqualTo(expected);
        assertThat(ClientHelloParser.parse(readOnly)).isEqualTo(expected);
        assertThat(direct.position()).isZero();
    }

    @Test
    void listsAreImmutable() {
        ClientHello hello = parseComplete(capture("curl.bin"));

        assertThat(hello.cipherSuites()).isUnmodifiable();
        assertThat(hello.extensionTypes()).isUnmodifiable();
        assertThat(hello.alpnProtocols()).isUnmodifiable();
        assertThat(hello.supportedVersions()).isUnmodifiable();
    }

    private static boolean isGrease(int value) {
        return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
    }
}
