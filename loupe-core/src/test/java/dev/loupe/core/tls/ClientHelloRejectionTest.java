package dev.loupe.core.tls;

import static dev.loupe.core.tls.ClientHelloFixtures.ascii;
import static dev.loupe.core.tls.ClientHelloFixtures.concat;
import static dev.loupe.core.tls.ClientHelloFixtures.extension;
import static dev.loupe.core.tls.ClientHelloFixtures.handshake;
import static dev.loupe.core.tls.ClientHelloFixtures.hello;
import static dev.loupe.core.tls.ClientHelloFixtures.helloBody;
import static dev.loupe.core.tls.ClientHelloFixtures.helloPrefix;
import static dev.loupe.core.tls.ClientHelloFixtures.inRecords;
import static dev.loupe.core.tls.ClientHelloFixtures.malformedReason;
import static dev.loupe.core.tls.ClientHelloFixtures.parse;
import static dev.loupe.core.tls.ClientHelloFixtures.parseComplete;
import static dev.loupe.core.tls.ClientHelloFixtures.record;
import static dev.loupe.core.tls.ClientHelloFixtures.sni;
import static dev.loupe.core.tls.ClientHelloFixtures.u16;
import static dev.loupe.core.tls.ClientHelloFixtures.u16Prefixed;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What is not TLS must be relayed, what is broken TLS must be refused, and the reason must say why. */
class ClientHelloRejectionTest {
    private static final byte[] AES_128_GCM = u16(0x1301);

    @Test
    void plainTextProtocolsAreNotTlsFromTheirFirstByte() {
        assertThat(parse(ascii("GET / HTTP/1.1\r\n")))
                .isEqualTo(new ClientHelloParse.NotTls("record content type 0x47 is not handshake (0x16)"));
        assertThat(parse(ascii("SSH-2.0-OpenSSH_9.6\r\n")))
                .isEqualTo(new ClientHelloParse.NotTls("record content type 0x53 is not handshake (0x16)"));
        assertThat(parse(ascii("CONNECT example.com:443 HTTP/1.1\r\n")))
                .isEqualTo(new ClientHelloParse.NotTls("record content type 0x43 is not handshake (0x16)"));
        assertThat(parse(ascii("G"))).as("one byte is enough to decide")
                .isEqualTo(new ClientHelloParse.NotTls("record content type 0x47 is not handshake (0x16)"));
    }

    @Test
    void otherRecordTypesAndVersionsAreNotTls() {
        byte[] alert = record(0x15, new byte[] {2, 40});

        assertThat(parse(alert)).isEqualTo(new ClientHelloParse.NotTls("record content type 0x15 is not handshake (0x16)"));
        assertThat(parse(new byte[] {0x16, 0x02})).isEqualTo(new ClientHelloParse.NotTls("record version major 0x02 is not 3"));
        assertThat(parse(new byte[] {0x16, 0x03, 0x09})).isEqualTo(new ClientHelloParse.NotTls("record version 3.9 is not an SSL/TLS version"));
    }

    @Test
    void plausiblePrefixesNeedMore() {
        assertThat(parse(new byte[0])).isSameAs(ClientHelloParse.NEED_MORE);
        assertThat(parse(new byte[] {0x16})).isSameAs(ClientHelloParse.NEED_MORE);
        assertThat(parse(new byte[] {0x16, 3})).isSameAs(ClientHelloParse.NEED_MORE);
        assertThat(parse(new byte[] {0x16, 3, 1, 0})).isSameAs(ClientHelloParse.NEED_MORE);
        assertThat(parse(new byte[] {0x16, 3, 1, 0, 9, 1})).isSameAs(ClientHelloParse.NEED_MORE);
        byte[] claimsMoreThanItsRecord = record(0x16, concat(new byte[] {1, 0, 3, (byte) 0xe8}, new byte[96]));
        assertThat(parse(claimsMoreThanItsRecord)).as("the rest may come in later records").isSameAs(ClientHelloParse.NEED_MORE);
    }

    @Test
    void oversizedOrEmptyRecord() {
        assertThat(malformedReason(new byte[] {0x16, 3, 1, 0x4e, 0x20})).isEqualTo("record length 20000 exceeds 16640");
        assertThat(malformedReason(new byte[] {0x16, 3, 1, 0, 0})).isEqualTo("empty handshake record at offset 0");
    }

    @Test
    void handshakeTypeOtherThanClientHelloIsRefusedFromItsFirstByte() {
        byte[] serverHello = record(0x16, handshake(2, new byte[40]));

        assertThat(malformedReason(serverHello)).isEqualTo("handshake type 2 is not client_hello (1)");
        assertThat(malformedReason(Arrays.copyOf(serverHello, 6))).isEqualTo("handshake type 2 is not client_hello (1)");
    }

    @Test
    void nonHandshakeRecordBeforeTheHelloIsComplete() {
        byte[] firstRecord = Arrays.copyOf(inRecords(ClientHelloFixtures.handshakeBytes(hello(sni("a.test"))), 30), 35);

        assertThat(malformedReason(concat(firstRecord, record(0x17, new byte[] {1}))))
                .isEqualTo("record content type 0x17 is not handshake (0x16) in record at offset 35"
                        + " before the ClientHello was complete");
    }

    @Test
    void helloLargerThan64KiBViaManyRecords() {
        int fixedLength = handshake(1, helloBody(AES_128_GCM)).length;
        byte[] exactly64KiB = handshake(1, helloBody(AES_128_GCM, extension(21, new byte[65536 - fixedLength - 4])));
        byte[] oneMore = handshake(1, helloBody(AES_128_GCM, extension(21, new byte[65537 - fixedLength - 4])));

        assertThat(exactly64KiB).hasSize(65536);
        assertThat(parseComplete(inRecords(exactly64KiB, 16384)).extensionTypes()).containsExactly(21);
        assertThat(malformedReason(inRecords(oneMore, 16384))).isEqualTo("ClientHello too large: 65537 bytes exceeds 65536");
        assertThat(malformedReason(Arrays.copyOf(inRecords(oneMore, 16384), 9)))
                .as("refused from the first record, before buffering the rest").startsWith("ClientHello too large");
        assertThat(malformedReason(inRecords(oneMore, 1)))
                .as("header split over 1-byte records").startsWith("ClientHello too large");
    }

    @Test
    void sniNameLongerThanItsExtension() {
        byte[] entry = concat(new byte[] {0}, u16(50), ascii("abc"));
        byte[] truncatedName = extension(0, u16Prefixed(entry));
        byte[] listLongerThanExtension = extension(0, concat(u16(100), entry));

        assertThat(malformedReason(hello(truncatedName))).isEqualTo("SNI name truncated at offset 56: needs 50 bytes, 3 left");
        assertThat(malformedReason(hello(listLongerThanExtension)))
                .isEqualTo("server_name_list length 100 at offset 51 does not match the 6 bytes left in its extension");
    }

    @Test
    void extensionLongerThanTheBlock() {
        byte[] block = concat(u16(0), u16(200), ascii("abcde"));

        assertThat(malformedReason(hello(block))).isEqualTo("extension 0x0000 at offset 47 has length 200 but only 5 bytes are left");
    }

    @Test
    void cipherSuiteListOfOddOrZeroLength() {
        assertThat(malformedReason(record(0x16, handshake(1, helloBody(new byte[] {0x13, 0x01, 0x13})))))
                .isEqualTo("cipher_suites length 3 is not a positive even number");
        assertThat(malformedReason(record(0x16, handshake(1, helloBody(new byte[0])))))
                .isEqualTo("cipher_suites length 0 is not a positive even number");
    }

    @Test
    void extensionBlockWhoseLengthDisagreesWithTheHello() {
        byte[] emptyBlockThenGarbage = concat(helloPrefix(), u16Prefixed(AES_128_GCM), new byte[] {1, 0}, u16(0), new byte[3]);
        byte[] blockClaimingMissingBytes = concat(helloPrefix(), u16Prefixed(AES_128_GCM), new byte[] {1, 0}, u16(4));
        byte[] halfALengthField = concat(helloPrefix(), u16Prefixed(AES_128_GCM), new byte[] {1, 0}, new byte[1]);

        assertThat(malformedReason(record(0x16, handshake(1, emptyBlockThenGarbage))))
                .isEqualTo("extensions length 0 does not match the 3 bytes left in the ClientHello");
        assertThat(malformedReason(record(0x16, handshake(1, blockClaimingMissingBytes))))
                .isEqualTo("extensions length 4 does not match the 0 bytes left in the ClientHello");
        assertThat(malformedReason(record(0x16, handshake(1, halfALengthField))))
                .isEqualTo("extensions length truncated at offset 45: needs 2 bytes, 1 left");
    }

    @Test
    void brokenFixedFields() {
        byte[] body = helloBody(AES_128_GCM);
        byte[] longSessionId = body.clone();
        longSessionId[34] = 33;
        byte[] noCompression = concat(helloPrefix(), u16Prefixed(AES_128_GCM), new byte[] {0});

        assertThat(malformedReason(record(0x16, handshake(1, Arrays.copyOf(body, 20)))))
                .isEqualTo("legacy_version and random truncated at offset 4: needs 35 bytes, 20 left");
        assertThat(malformedReason(record(0x16, handshake(1, longSessionId)))).isEqualTo("session_id length 33 exceeds 32");
        assertThat(malformedReason(record(0x16, handshake(1, noCompression)))).isEqualTo("compression_methods list is empty");
    }

    @Test
    void brokenAlpnSupportedVersionsAndDuplicates() {
        byte[] emptyProtocol = extension(16, u16Prefixed(new byte[] {2, 'h', '2', 0}));
        byte[] oddVersions = extension(43, new byte[] {3, 3, 4, 3});

        assertThat(malformedReason(hello(emptyProtocol))).isEqualTo("empty ALPN protocol name at offset 56");
        assertThat(malformedReason(hello(oddVersions))).isEqualTo("supported_versions list length 3 is odd");
        assertThat(malformedReason(hello(sni("a.test"), sni("b.test")))).isEqualTo("duplicate extension 0x0000");
        assertThat(malformedReason(hello(extension(0, new byte[0]))))
                .isEqualTo("server_name_list length truncated at offset 51: needs 2 bytes, 0 left");
    }
}
