package dev.loupe.core.icap;

import static dev.loupe.core.icap.IcapTranscripts.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.core.icap.WireRequests.WireRequest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Byte-exact encodings, offsets re-parsed independently, and chunk helpers. */
class IcapRequestEncoderTest {
    private static final URI AV = URI.create("icap://icap.example:1344/avscan");
    private static final byte[] GET = ascii("GET http://origin.test/f.bin HTTP/1.1\r\nHost: origin.test\r\n\r\n");
    private static final byte[] POST =
            ascii("POST /upload HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 11\r\n\r\n");
    private static final byte[] OK = ascii("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n");

    private final IcapRequestEncoder encoder = new IcapRequestEncoder();

    @Test
    void optionsMatchesCicapClientByteForByte() {
        IcapRequest options = IcapRequest.builder(IcapMethod.OPTIONS, URI.create("icap://127.0.0.1/virus_scan"))
                .header("User-Agent", "C-ICAP-Client-Library/0.5.10").build();

        assertThat(ascii(encoder.head(options))).isEqualTo("""
                OPTIONS icap://127.0.0.1/virus_scan ICAP/1.0\r
                Host: 127.0.0.1\r
                User-Agent: C-ICAP-Client-Library/0.5.10\r
                Encapsulated: null-body=0\r
                \r
                """);
        assertThat(encoder.head(IcapRequest.options(AV))).startsWith(ascii(
                "OPTIONS icap://icap.example:1344/avscan ICAP/1.0\r\nHost: icap.example:1344\r\n"));
    }

    @Test
    void reqmodWithWholeBodyInPreviewEndsWithIeof() {
        IcapRequest request = IcapRequest.builder(IcapMethod.REQMOD, AV)
                .header("X-Client-IP", "10.0.0.7").header("X-Server-IP", "192.0.2.1")
                .header("X-Authenticated-User", "TG9jYWw6Ly9hbGljZQ==")
                .httpRequestHead(POST).previewFrom(1024, ascii("hello world"), true).allow204(true).build();

        assertThat(ascii(encoder.head(request))).isEqualTo("""
                REQMOD icap://icap.example:1344/avscan ICAP/1.0\r
                Host: icap.example:1344\r
                X-Client-IP: 10.0.0.7\r
                X-Server-IP: 192.0.2.1\r
                X-Authenticated-User: TG9jYWw6Ly9hbGljZQ==\r
                Allow: 204\r
                Preview: 11\r
                Encapsulated: req-hdr=0, req-body=64\r
                \r
                POST /upload HTTP/1.1\r
                Host: origin.test\r
                Content-Length: 11\r
                \r
                b\r
                hello world\r
                0; ieof\r
                \r
                """);
        assertThat(request.expectsContinue()).isFalse();
    }

    @Test
    void reqmodWithLongerBodySendsPreviewThenZeroChunk() {
        IcapRequest request = IcapRequest.builder(IcapMethod.REQMOD, AV).httpRequestHead(POST)
                .previewFrom(4, ascii("hello world"), true).allow204(true).allow206(true).build();

        assertThat(ascii(encoder.head(request))).isEqualTo("""
                REQMOD icap://icap.example:1344/avscan ICAP/1.0\r
                Host: icap.example:1344\r
                Allow: 204, 206\r
                Preview: 4\r
                Encapsulated: req-hdr=0, req-body=64\r
                \r
                POST /upload HTTP/1.1\r
                Host: origin.test\r
                Content-Length: 11\r
                \r
                4\r
                hell\r
                0\r
                \r
                """);
        assertThat(request.expectsContinue()).isTrue();
        assertThat(request.previewLength()).isEqualTo(4);
        byte[] rest = ascii("hello world");
        assertThat(ascii(encoder.chunk(rest, 4, 7)) + ascii(encoder.lastChunk()))
                .isEqualTo("7\r\no world\r\n0\r\n\r\n");
    }

    @Test
    void respmodWithPreviewCarriesBothHeadsAtTheirOffsets() {
        IcapRequest request = IcapRequest.builder(IcapMethod.RESPMOD, AV).header("X-Client-IP", "10.0.0.7")
                .httpRequestHead(GET).httpResponseHead(OK).previewFrom(5, ascii("hello world"), false)
                .allow204(true).build();

        String expected = "RESPMOD icap://icap.example:1344/avscan ICAP/1.0\r\n"
                + "Host: icap.example:1344\r\nX-Client-IP: 10.0.0.7\r\nAllow: 204\r\nPreview: 5\r\n"
                + "Encapsulated: req-hdr=0, res-hdr=" + GET.length + ", res-body=" + (GET.length + OK.length)
                + "\r\n\r\n" + ascii(GET) + ascii(OK) + "5\r\nhello\r\n0\r\n\r\n";
        assertThat(ascii(encoder.head(request))).isEqualTo(expected);

        WireRequest parsed = WireRequests.parse(encoder.head(request)).getFirst();
        assertThat(parsed.encapsulated()).containsExactly(
                Map.entry("req-hdr", 0), Map.entry("res-hdr", 60), Map.entry("res-body", 99));
        assertThat(parsed.httpRequestHead()).isEqualTo(GET);
        assertThat(parsed.httpResponseHead()).isEqualTo(OK);
        assertThat(parsed.firstBytes()).isEqualTo(ascii("hello"));
        assertThat(parsed.ieof()).isFalse();
    }

    @Test
    void encapsulatedOffsetsPointAtTheSectionsWhenReparsedByTheDecoderSideParser() throws Exception {
        IcapRequest request = IcapRequest.builder(IcapMethod.RESPMOD, AV).httpRequestHead(GET).httpResponseHead(OK)
                .previewFrom(0, ascii("x"), false).build();
        byte[] head = encoder.head(request);
        String text = ascii(head);
        int body = text.indexOf("\r\n\r\n") + 4;
        String value = text.substring(text.indexOf("Encapsulated: ") + 14, text.indexOf("\r\n\r\n"));
        Encapsulated encapsulated = Encapsulated.parse(value, 0);

        assertThat(text.substring(body + encapsulated.offset(Encapsulated.Section.REQ_HDR))).startsWith("GET ");
        assertThat(text.substring(body + encapsulated.offset(Encapsulated.Section.RES_HDR))).startsWith("HTTP/1.1 200");
        assertThat(text.substring(body + encapsulated.headLength())).isEqualTo("0\r\n\r\n"); // Preview: 0
        assertThat(encapsulated).isEqualTo(encoder.encapsulated(request));
    }

    @Test
    void bodiesWithoutPreviewAndMessagesWithoutBodyAreFramedAccordingly() {
        IcapRequest streamed = IcapRequest.builder(IcapMethod.RESPMOD, AV).httpResponseHead(OK).body().build();
        IcapRequest headOnly = IcapRequest.builder(IcapMethod.REQMOD, AV).httpRequestHead(GET).build();

        assertThat(ascii(encoder.head(streamed))).endsWith("Encapsulated: res-hdr=0, res-body=" + OK.length
                + "\r\n\r\n" + ascii(OK)).doesNotContain("Preview");
        assertThat(ascii(encoder.head(headOnly))).endsWith("Encapsulated: req-hdr=0, null-body=" + GET.length
                + "\r\n\r\n" + ascii(GET));
        assertThat(ascii(encoder.head(IcapRequest.builder(IcapMethod.RESPMOD, AV).httpResponseHead(OK)
                .previewFrom(100, new byte[0], true).build()))).endsWith(ascii(OK) + "0; ieof\r\n\r\n");
    }

    @Test
    void chunkHelpersFrameDataForZeroCopyWrites() {
        byte[] data = new byte[4041];
        assertThat(ascii(encoder.chunkHeader(4041))).isEqualTo("fc9\r\n");
        assertThat(encoder.chunk(data, 0, 4041)).hasSize(5 + 4041 + 2);
        assertThat(ascii(encoder.chunk(ascii("abcdef"), 2, 3))).isEqualTo("3\r\ncde\r\n");
        assertThat(encoder.chunk(data, 0, 0)).isEmpty();
        assertThat(ascii(encoder.chunkEnd())).isEqualTo("\r\n");
        assertThat(ascii(encoder.lastChunk())).isEqualTo("0\r\n\r\n");
        assertThatThrownBy(() -> encoder.chunkHeader(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodedRequestsDecodeBackToTheSameParts() {
        List<IcapRequest> requests = List.of(IcapRequest.options(AV),
                IcapRequest.builder(IcapMethod.REQMOD, AV).httpRequestHead(POST).body().build(),
                IcapRequest.builder(IcapMethod.RESPMOD, AV).httpRequestHead(GET).httpResponseHead(OK)
                        .previewFrom(1024, ascii("hello world"), true).build());
        for (IcapRequest request : requests) {
            byte[] wire = encoder.head(request);
            if (request.hasBody() && !request.hasPreview()) {
                wire = WireRequests.concat(List.of(wire, encoder.chunk(ascii("abc"), 0, 3), encoder.lastChunk()));
            }
            WireRequest parsed = WireRequests.parse(wire).getFirst();
            assertThat(parsed.method()).isEqualTo(request.method().name());
            assertThat(parsed.uri()).isEqualTo(request.serviceUri().toString());
            assertThat(parsed.httpRequestHead()).isEqualTo(request.httpRequestHead());
            assertThat(parsed.httpResponseHead()).isEqualTo(request.httpResponseHead());
            assertThat(parsed.firstBytes()).isEqualTo(request.hasPreview() ? request.previewBytes() : ascii(
                    request.hasBody() ? "abc" : ""));
        }
    }
}
