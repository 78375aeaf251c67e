package dev.loupe.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Fingerprints of real hellos against values other tools computed from the same bytes: tshark 4.0.17 and
 * Suricata 7.0.10 for JA3, Suricata 7.0.10 for JA4, tshark for JA3S (see README.txt next to the captures).
 */
class TlsFingerprintsTest {
    @ParameterizedTest
    @CsvSource({
            "chromium.bin, de4a54f19463246fce513fbb42f6924e, t13d1517h2_8daaf6152771_cb7bf5808d99",
            "curl.bin, 0149f47eabf9a20d0893e2a44e5a6323, t13d3112h2_e8f1e7e78f70_b26ce05bbdd6",
            "openssl-nosni.bin, c216e752cae6f8755fd27f561d031636, t13i310900_e8f1e7e78f70_1f22a2ca17c4",
            "openssl-sni-alpn.bin, 5a1edc7f170af1014fc65c994878e63c, t13d3111h2_e8f1e7e78f70_1f22a2ca17c4",
            "openssl-tls12.bin, 871a754af286dfb70c1b53c6887c62e0, t12d280700_d943125447b4_e7e480e5a997"})
    void clientHellosMatchWhatTsharkAndSuricataComputed(String capture, String ja3, String ja4) {
        ClientHello hello = ClientHelloFixtures.parseComplete(ClientHelloFixtures.capture(capture));
        assertThat(TlsFingerprints.ja3(hello)).isEqualTo(ja3);
        assertThat(TlsFingerprints.ja4(hello)).isEqualTo(ja4);
    }

    @Test
    void ja3StringDropsGreaseAndKeepsTheClientsOrder() {
        ClientHello chromium = ClientHelloFixtures.parseComplete(ClientHelloFixtures.capture("chromium.bin"));
        assertThat(chromium.cipherSuites()).anyMatch(TlsFingerprints::isGrease);
        assertThat(TlsFingerprints.ja3String(chromium)).isEqualTo("771,4865-4866-4867-49195-49199-49196-49200-52393-"
                + "52392-49171-49172-156-157-47-53,5-10-65037-43-11-23-17613-18-45-0-51764-27-35-51-16-13-65281,"
                + "4588-29-23-24,0");
    }

    @ParameterizedTest
    @CsvSource({
            "openssl-tls13-h2.bin, 15af977ce25de452b96affa2addb1036, '771,4866,43-51'",
            "openssl-tls12.bin, abade5a4a7f42baf54766e5d108283b6, '771,49196,65281-11-35-23'"})
    void serverHellosMatchWhatTsharkComputed(String capture, String ja3s, String ja3sString) throws IOException {
        ServerHello hello = serverHello(capture);
        assertThat(TlsFingerprints.ja3sString(hello)).isEqualTo(ja3sString);
        assertThat(TlsFingerprints.ja3s(hello)).isEqualTo(ja3s);
    }

    @Test
    void ja4sFollowsTheFoxIoLayout() throws IOException {
        ServerHello tls13 = serverHello("openssl-tls13-h2.bin");
        // TLS 1.3: version from supported_versions, 2 extensions, no ALPN in the ServerHello, suite 0x1302
        assertThat(TlsFingerprints.ja4s(tls13)).startsWith("t130200_1302_")
                .endsWith(TlsFingerprints.sha256Prefix("002b,0033"));
        ServerHello tls12 = serverHello("openssl-tls12.bin");
        assertThat(TlsFingerprints.ja4s(tls12)).isEqualTo("t120400_c02c_" + TlsFingerprints.sha256Prefix("ff01,000b,0023,0017"));
        // the FoxIO test vector (python/test/testdata/browsers-x509.pcapng.json): raw and hashed forms of one hello
        ServerHello foxio = new ServerHello(0x0303, 0, 0xc02b, List.of(0xff01, 0x0000, 0x000b, 0x0023, 0x0005, 0x0010,
                0x0017), "h2");
        assertThat(TlsFingerprints.ja4sRawExtensions(foxio)).isEqualTo("ff01,0000,000b,0023,0005,0010,0017");
        assertThat(TlsFingerprints.ja4s(foxio)).isEqualTo("t1207h2_c02b_cf25e267ce22");
    }

    @Test
    void alpnCharactersFollowTheSpecForOddValues() {
        assertThat(TlsFingerprints.alpn("h2")).isEqualTo("h2");
        assertThat(TlsFingerprints.alpn("http/1.1")).isEqualTo("h1");
        assertThat(TlsFingerprints.alpn(null)).isEqualTo("00");
        assertThat(TlsFingerprints.alpn("h")).isEqualTo("hh");
        assertThat(TlsFingerprints.alpn("\u00ab\u00cd")).as("non-alphanumeric: hex digits").isEqualTo("ad");
    }

    @Test
    void serverHelloParserWaitsForTheWholeRecordAndRefusesOtherBytes() throws IOException {
        byte[] bytes = resource("openssl-tls12.bin");
        assertThat(ServerHelloParser.parse(bytes, 0, bytes.length - 1)).isInstanceOf(ServerHelloParser.Result.NeedMore.class);
        assertThat(ServerHelloParser.parse(bytes, 0, 3)).isInstanceOf(ServerHelloParser.Result.NeedMore.class);
        byte[] http = "HTTP/1.1 400 Bad Request\r\n\r\n".getBytes();
        assertThat(ServerHelloParser.parse(http, 0, http.length)).isInstanceOf(ServerHelloParser.Result.NotAServerHello.class);
        byte[] truncatedExtensions = bytes.clone();
        truncatedExtensions[bytes.length - 2] = 0x7f; // the last extension (0x0017, empty) now claims 32 KB
        assertThat(ServerHelloParser.parse(truncatedExtensions, 0, bytes.length))
                .isInstanceOf(ServerHelloParser.Result.NotAServerHello.class);
    }

    private static ServerHello serverHello(String name) throws IOException {
        byte[] bytes = resource(name);
        var result = ServerHelloParser.parse(bytes, 0, bytes.length);
        assertThat(result).isInstanceOf(ServerHelloParser.Result.Parsed.class);
        return ((ServerHelloParser.Result.Parsed) result).hello();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = TlsFingerprintsTest.class.getResourceAsStream("/serverhello/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
