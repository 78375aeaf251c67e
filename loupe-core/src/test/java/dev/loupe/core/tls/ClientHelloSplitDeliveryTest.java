package dev.loupe.core.tls;

import static dev.loupe.core.tls.ClientHelloFixtures.capture;
import static dev.loupe.core.tls.ClientHelloFixtures.concat;
import static dev.loupe.core.tls.ClientHelloFixtures.handshakeBytes;
import static dev.loupe.core.tls.ClientHelloFixtures.inRecords;
import static dev.loupe.core.tls.ClientHelloFixtures.parseComplete;
import static dev.loupe.core.tls.ClientHelloFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** TCP may deliver a hello in any number of pieces, and clients may spread it over several records. */
class ClientHelloSplitDeliveryTest {
    static final List<String> captures = ClientHelloFixtures.CAPTURES;

    @ParameterizedTest
    @FieldSource("captures")
    void everyProperPrefixNeedsMoreAndTheWholeIsComplete(String name) {
        assertEveryPrefixNeedsMore(capture(name));
    }

    @ParameterizedTest
    @FieldSource("captures")
    void refragmentedInto100ByteRecordsParsesIdentically(String name) {
        byte[] original = capture(name);
        byte[] fragmented = inRecords(handshakeBytes(original), 100);

        ClientHello expected = parseComplete(original);
        ClientHello actual = parseComplete(fragmented);

        assertThat(fragmented.length).isGreaterThan(original.length);
        assertThat(actual.totalLength()).isEqualTo(fragmented.length);
        assertThat(actual).usingRecursiveComparison().ignoringFields("totalLength").isEqualTo(expected);
        assertEveryPrefixNeedsMore(fragmented);
    }

    @Test
    void oneByteRecordsSplitEvenTheHandshakeHeader() {
        byte[] original = capture("openssl-sni-alpn.bin");
        byte[] fragmented = inRecords(handshakeBytes(original), 1);

        ClientHello hello = parseComplete(fragmented);

        assertThat(hello.sni()).contains("www.example.test");
        assertThat(hello.alpnProtocols()).containsExactly("h2", "http/1.1");
        assertThat(hello.totalLength()).isEqualTo(fragmented.length).isEqualTo(6 * (original.length - 5));
    }

    @ParameterizedTest
    @FieldSource("captures")
    void bytesAfterTheHelloAreNotConsumed(String name) {
        byte[] hello = capture(name);
        byte[] earlyData = record(0x17, new byte[] {1, 2, 3});

        ClientHello parsed = parseComplete(concat(hello, earlyData));

        assertThat(parsed.totalLength()).isEqualTo(hello.length);
    }

    @Test
    void readsOnlyBetweenPositionAndLimitAndLeavesThemAlone() {
        byte[] hello = capture("curl.bin");
        byte[] surrounded = concat(ClientHelloFixtures.ascii("GET / HTTP/1.1"), hello, new byte[] {0x15, 0x15});
        ByteBuffer buffer = ByteBuffer.wrap(surrounded, 14, hello.length);

        ClientHelloParse result = ClientHelloParser.parse(buffer);

        assertThat(result).isInstanceOf(ClientHelloParse.Complete.class);
        assertThat(buffer.position()).isEqualTo(14);
        assertThat(buffer.limit()).isEqualTo(14 + hello.length);
        buffer.limit(buffer.limit() - 1);
        assertThat(ClientHelloParser.parse(buffer)).isSameAs(ClientHelloParse.NEED_MORE);
    }

    private static void assertEveryPrefixNeedsMore(byte[] hello) {
        ByteBuffer buffer = ByteBuffer.wrap(hello);
        for (int length = 0; length < hello.length; length++) {
            buffer.limit(length);
            assertThat(ClientHelloParser.parse(buffer)).as("prefix of %d bytes", length)
                    .isInstanceOf(ClientHelloParse.NeedMore.class);
        }
        buffer.limit(hello.length);
        assertThat(ClientHelloParser.parse(buffer)).isInstanceOf(ClientHelloParse.Complete.class);
        assertThat(buffer.position()).isZero();
    }
}
