package dev.loupe.core.icap;

import static dev.loupe.core.icap.IcapResponseDecoderTest.PAGE_HEAD;
import static dev.loupe.core.icap.IcapResponseDecoderTest.response;
import static dev.loupe.core.icap.IcapTranscripts.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Broken input fails with a named kind and byte offset; truncation is only an error at end of input. */
class IcapMalformedResponseTest {
    private static final String OK_HEAD = "ICAP/1.0 200 OK\r\n";

    private static IcapProtocolException failure(String wire) {
        IcapProtocolException failure = catchThrowableOfType(IcapProtocolException.class,
                () -> IcapResponseCollector.decodeAll(ascii(wire), IcapLimits.DEFAULTS, 1 << 16));
        assertThat(failure).as("decoding should fail: %s", wire.replace("\r\n", "|")).isNotNull();
        return failure;
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.1 200 OK", "ICAP/2.0 200 OK", "ICAP/1.0 2000 OK", "ICAP/1.0 099 Low",
        "ICAP/1.0 600 High", "ICAP/1.0 20x OK", "ICAP/1.0200 OK", "ICAP/1. 200 OK", "", " ICAP/1.0 200 OK",
        "icap/1.0 200 OK"})
    void badStatusLines(String statusLine) {
        IcapProtocolException failure = failure(statusLine + "\r\n\r\n");
        assertThat(failure.kind()).isEqualTo(Kind.BAD_STATUS_LINE);
        assertThat(failure.offset()).isBetween(0L, (long) statusLine.length());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "NoColon|17", "'\tfolded-first: x'|17", "Bad Name: x|20", ": empty|17", "Bad\u0001: y|20"})
    void badHeaderLinesAreReportedAtTheirByte(String line, long offset) {
        IcapProtocolException failure = failure(OK_HEAD + line + "\r\n\r\n");
        assertThat(failure.kind()).isEqualTo(Kind.BAD_HEADER);
        assertThat(failure.offset()).isEqualTo(offset);
        assertThat(failure).hasMessageContaining("at byte " + offset);
    }

    @ParameterizedTest
    @ValueSource(strings = {"res-hdr=0", "res-body=0, res-hdr=10", "res-hdr=5, res-body=10", "res-hdr=0, res-body=0",
        "res-hdr=0, res-hdr=10, res-body=20", "res-hdr=0, req-hdr=10, res-body=20", "foo=0", "res-hdr=x",
        "res-hdr=0, res-body=1234567890", "res-hdr=0, res-body=", "", "res-hdr=0,, res-body=5",
        "null-body=0, res-body=0", "res-hdr=-1, res-body=5"})
    void badEncapsulatedValues(String value) {
        IcapProtocolException failure = failure(OK_HEAD + "Encapsulated: " + value + "\r\n\r\n");
        assertThat(failure.kind()).isEqualTo(Kind.BAD_ENCAPSULATED);
        assertThat(failure.getMessage()).contains("Encapsulated: " + value);
    }

    @Test
    void duplicateEncapsulatedHeadersAndWrongOffsetsAreRejected() {
        assertThat(failure(OK_HEAD + "Encapsulated: null-body=0\r\nEncapsulated: null-body=0\r\n\r\n").kind())
                .isEqualTo(Kind.BAD_ENCAPSULATED);
        // res-body points 2 bytes into the HTTP head: the head section does not end with its empty line
        String shifted = OK_HEAD + "Encapsulated: res-hdr=0, res-body=" + (PAGE_HEAD.length() - 2) + "\r\n\r\n"
                + PAGE_HEAD + "0\r\n\r\n";
        assertThat(failure(shifted).kind()).isEqualTo(Kind.BAD_HTTP_HEAD);
        String pastTheHead = OK_HEAD + "Encapsulated: res-hdr=0, res-body=" + (PAGE_HEAD.length() + 3) + "\r\n\r\n"
                + PAGE_HEAD + "0\r\n\r\n";
        assertThat(failure(pastTheHead).kind()).isEqualTo(Kind.BAD_HTTP_HEAD);
        assertThat(failure(response("ICAP/1.0 200 OK", null, "\r\nHTTP/1.1 200 OK\r\n\r\n", null)).kind())
                .isEqualTo(Kind.BAD_HTTP_HEAD);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "zz\\r\\n|BAD_CHUNK", "\\r\\n|BAD_CHUNK", "5x\\r\\nhello\\r\\n0\\r\\n\\r\\n|BAD_CHUNK",
        "5\\r\\nhelloXX0\\r\\n\\r\\n|BAD_CHUNK", "5\\r\\nhello\\r0\\r\\n\\r\\n|BAD_CHUNK",
        "80000000\\r\\n|CHUNK_TOO_LARGE", "ffffffffffffffffffffffff\\r\\n|CHUNK_TOO_LARGE",
        "0; use-original-body=abc\\r\\n\\r\\n|BAD_CHUNK", "0; use-original-body\\r\\n\\r\\n|BAD_CHUNK",
        "0\\r\\nno colon\\r\\n\\r\\n|BAD_HEADER", "-5\\r\\n|BAD_CHUNK"})
    void badChunks(String body, Kind kind) {
        String chunks = body.replace("\\r\\n", "\r\n").replace("\\r", "\r");
        String wire = response("ICAP/1.0 200 OK", null, PAGE_HEAD, chunks);
        IcapProtocolException failure = failure(wire);
        assertThat(failure.kind()).isEqualTo(kind);
        assertThat(failure.offset()).isGreaterThanOrEqualTo(wire.indexOf("\r\n\r\nHTTP") + 4L + PAGE_HEAD.length());
    }

    @Test
    void limitsOnHeadChunkLineAndEncapsulatedHeads() {
        IcapProtocolException head = failure(OK_HEAD + ("X-Filler: " + "a".repeat(90) + "\r\n").repeat(700));
        assertThat(head.kind()).isEqualTo(Kind.HEAD_TOO_LARGE);
        assertThat(head.offset()).isEqualTo(64 * 1024);

        IcapProtocolException line = failure(response("ICAP/1.0 200 OK", null, PAGE_HEAD,
                "5;" + " ".repeat(2000) + "\r\nhello\r\n0\r\n\r\n"));
        assertThat(line.kind()).isEqualTo(Kind.BAD_CHUNK);
        assertThat(line).hasMessageContaining("longer than 1024");

        assertThat(failure(OK_HEAD + "Encapsulated: res-hdr=0, res-body=70000\r\n\r\n").kind())
                .isEqualTo(Kind.HEAD_TOO_LARGE);

        IcapLimits small = new IcapLimits(128, 128, 16, 100);
        assertThatThrownBy(() -> IcapResponseCollector.decodeAll(ascii(response("ICAP/1.0 200 OK", null, PAGE_HEAD,
                "65\r\n")), small, 1000)).isInstanceOfSatisfying(IcapProtocolException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.CHUNK_TOO_LARGE));
        assertThatThrownBy(() -> IcapResponseCollector.decodeAll(ascii(response("ICAP/1.0 200 OK", null, PAGE_HEAD,
                "5\r\nhello\r\n0\r\n\r\n")), IcapLimits.DEFAULTS, 4)).isInstanceOfSatisfying(
                        IcapProtocolException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BODY_TOO_LARGE));
    }

    @Test
    @Timeout(5)
    void aHeadFullOfContinuationLinesIsJoinedInLinearTime() throws Exception {
        String folded = "ICAP/1.0 204 Unmodified\r\nX-Violations-Found: 1\r\n" + "\tx\r\n".repeat(16_000) + "\r\n";
        IcapResponse response = IcapResponseDecoderTest.decodeOne(folded);
        assertThat(response.head().headers().first("X-Violations-Found")).get().asString()
                .hasSize(1 + 2 * 16_000).startsWith("1 x x");
    }

    @Test
    void everyCutInsideAResponseIsTruncatedAndEveryCutBetweenResponsesIsFine() throws Exception {
        byte[] stream = IcapTranscripts.serverBytes("icap-cicapclient-3");
        List<Long> boundaries = boundaries(stream);
        assertThat(boundaries).hasSize(4); // start + after OPTIONS, 100, 204
        for (int cut = 0; cut <= stream.length; cut++) {
            IcapResponseDecoder decoder = new IcapResponseDecoder();
            decoder.feed(ByteBuffer.wrap(stream, 0, cut));
            if (boundaries.contains((long) cut)) {
                decoder.endOfInput();
                continue;
            }
            IcapProtocolException truncated = catchThrowableOfType(IcapProtocolException.class, decoder::endOfInput);
            assertThat(truncated).as("cut at %d", cut).isNotNull();
            assertThat(truncated.kind()).isEqualTo(Kind.TRUNCATED);
            assertThat(truncated.offset()).isEqualTo(cut);
        }
    }

    @Test
    void truncationMessagesSayWhereTheStreamEnded() throws Exception {
        String wire = response("ICAP/1.0 200 OK", null, PAGE_HEAD, "7\r\nchanged\r\n0\r\n\r\n");
        assertThat(truncatedAt(wire, 10)).contains("inside the ICAP response head");
        assertThat(truncatedAt(wire, wire.indexOf("HTTP/1.1") + 3))
                .contains("encapsulated HTTP heads (3 of " + PAGE_HEAD.length());
        assertThat(truncatedAt(wire, wire.indexOf("changed") + 2)).contains("5 bytes missing");
        assertThat(truncatedAt(wire, wire.length() - 2)).contains("after the last chunk");
    }

    @Test
    void aFailedDecoderKeepsFailingWithTheSameException() throws Exception {
        IcapResponseDecoder decoder = new IcapResponseDecoder();
        String valid = "ICAP/1.0 204 Unmodified\r\n\r\n";
        List<IcapEvent> events = new ArrayList<>();
        IcapProtocolException first = catchThrowableOfType(IcapProtocolException.class,
                () -> decoder.feed(ByteBuffer.wrap(ascii(valid + "ICAP/1.0 2x\r\n\r\n")), events::add));
        assertThat(first.offset()).as("offsets count from the connection's first byte").isEqualTo(valid.length() + 9);
        assertThat(events).hasSize(2); // the 204 before the garbage was still delivered
        assertThat(decoder.isBetweenResponses()).isFalse();
        assertThatThrownBy(() -> decoder.feed(ByteBuffer.wrap(ascii(valid)))).isSameAs(first);
        assertThatThrownBy(decoder::endOfInput).isSameAs(first);
    }

    private static String truncatedAt(String wire, int cut) throws IcapProtocolException {
        IcapResponseDecoder decoder = new IcapResponseDecoder();
        decoder.feed(ByteBuffer.wrap(ascii(wire), 0, cut));
        IcapProtocolException failure = catchThrowableOfType(IcapProtocolException.class, decoder::endOfInput);
        assertThat(failure.kind()).isEqualTo(Kind.TRUNCATED);
        return failure.getMessage();
    }

    /** Stream offsets at which a response starts or the stream ends cleanly. */
    private static List<Long> boundaries(byte[] stream) throws IcapProtocolException {
        IcapResponseDecoder decoder = new IcapResponseDecoder();
        List<Long> boundaries = new ArrayList<>(List.of(0L));
        for (int i = 0; i < stream.length; i++) {
            if (decoder.feed(ByteBuffer.wrap(stream, i, 1)).stream().anyMatch(IcapEvent.End.class::isInstance)) {
                boundaries.add(decoder.position());
            }
        }
        return boundaries;
    }
}
