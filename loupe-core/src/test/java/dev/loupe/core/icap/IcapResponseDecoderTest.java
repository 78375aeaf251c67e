package dev.loupe.core.icap;

import static dev.loupe.core.icap.IcapTranscripts.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.icap.Encapsulated.Section;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-made responses for what c-icap did not send in the captures: 206, modified requests, trailers... */
class IcapResponseDecoderTest {
    static final String PAGE_HEAD = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n";
    static final String GET_HEAD = "GET /clean HTTP/1.1\r\nHost: origin.test\r\n\r\n";

    /** An ICAP response with the Encapsulated header computed from the given HTTP heads. */
    static String response(String statusLine, String requestHead, String responseHead, String body) {
        StringBuilder encapsulated = new StringBuilder();
        int offset = 0;
        if (requestHead != null) {
            encapsulated.append("req-hdr=0, ");
            offset = requestHead.length();
        }
        if (responseHead != null) {
            encapsulated.append("res-hdr=").append(offset).append(", ");
            offset += responseHead.length();
        }
        String bodyEntry = body == null ? "null-body" : requestHead != null && responseHead == null ? "req-body"
                : "res-body";
        encapsulated.append(bodyEntry).append('=').append(offset);
        return statusLine + "\r\nISTag: \"t1\"\r\nEncapsulated: " + encapsulated + "\r\n\r\n"
                + (requestHead == null ? "" : requestHead) + (responseHead == null ? "" : responseHead)
                + (body == null ? "" : body);
    }

    static IcapResponse decodeOne(String wire) throws IcapProtocolException {
        List<IcapResponse> responses = IcapResponseCollector.decodeAll(ascii(wire), IcapLimits.DEFAULTS, 1 << 16);
        assertThat(responses).hasSize(1);
        return responses.getFirst();
    }

    @Test
    void partialContentCarriesThePrefixAndTheOriginalBodyOffset() throws Exception {
        IcapResponse partial = decodeOne(response("ICAP/1.0 206 Partial Content", null, PAGE_HEAD,
                "7\r\nchanged\r\n0; use-original-body=8\r\n\r\n"));

        assertThat(partial.status()).isEqualTo(206);
        assertThat(partial.head().httpResponseHead().raw()).isEqualTo(PAGE_HEAD);
        assertThat(partial.body()).isEqualTo(ascii("changed"));
        assertThat(partial.useOriginalBodyFrom()).isEqualTo(8);

        IcapResponse headerOnly = decodeOne(response("ICAP/1.0 206 Partial Content", null, PAGE_HEAD,
                "0; use-original-body=0\r\n\r\n"));
        assertThat(headerOnly.body()).isEmpty();
        assertThat(headerOnly.useOriginalBodyFrom()).isZero();
    }

    @Test
    void modifiedRequestInReqmodAnswer() throws Exception {
        IcapResponse modified = decodeOne(response("ICAP/1.0 200 OK", GET_HEAD, null, "3\r\nabc\r\n0\r\n\r\n"));
        assertThat(modified.head().encapsulated().body()).isEqualTo(Section.REQ_BODY);
        assertThat(modified.head().httpRequestHead().startLine()).isEqualTo("GET /clean HTTP/1.1");
        assertThat(modified.head().httpRequestHead().statusCode()).isEqualTo(-1);
        assertThat(modified.head().httpRequestHead().headers().first("host")).contains("origin.test");
        assertThat(modified.body()).isEqualTo(ascii("abc"));

        IcapResponse headOnly = decodeOne(response("ICAP/1.0 200 OK", GET_HEAD, null, null));
        assertThat(headOnly.head().hasBody()).isFalse();
        assertThat(headOnly.head().httpRequestHead().bytes()).isEqualTo(ascii(GET_HEAD));
    }

    @Test
    void optionsBodyTrailersExtensionsAndLenientLineEndsAreTolerated() throws Exception {
        IcapResponse options = decodeOne("ICAP/1.0 200 OK\r\nMethods: RESPMOD\r\nEncapsulated: opt-body=0\r\n\r\n"
                + "4; foo=bar; ieof\r\ntext\r\n0; x=\"y;z\"\r\nX-Trailer: yes\r\n\tmore\r\n\r\n");
        assertThat(options.head().encapsulated().body()).isEqualTo(Section.OPT_BODY);
        assertThat(options.body()).isEqualTo(ascii("text"));
        assertThat(options.trailers().first("X-Trailer")).contains("yes more");

        IcapResponse bareLf = decodeOne("ICAP/1.0 200 OK\nISTag: t\nEncapsulated: res-hdr=0, res-body=19\n\n"
                + "HTTP/1.1 200 OK\r\n\r\n" + "1C \n" + "x".repeat(28) + "\n0\n\n");
        assertThat(bareLf.body()).hasSize(28);
        assertThat(bareLf.head().isTag()).contains("t");
    }

    @Test
    void statusWithoutReasonAndErrorsWithoutEncapsulatedHeader() throws Exception {
        IcapResponse noReason = decodeOne("ICAP/1.0 204\r\nISTag: x\r\n\r\n");
        assertThat(noReason.status()).isEqualTo(204);
        assertThat(noReason.head().reason()).isEmpty();

        IcapResponse error = decodeOne("ICAP/1.0 500 Server Error\r\nConnection: close\r\n\r\n");
        assertThat(error.head().encapsulated()).isEqualTo(Encapsulated.NONE);
        assertThat(error.head().closesConnection()).isTrue();
    }

    @Test
    void a204WithAnEncapsulatedHeaderStillCarriesNothing() throws Exception {
        List<IcapResponse> two = IcapResponseCollector.decodeAll(ascii(
                "ICAP/1.0 204 No Content\r\nEncapsulated: res-hdr=0, res-body=30\r\n\r\n"
                        + "ICAP/1.0 100 Continue\r\nEncapsulated: null-body=0\r\n\r\n"), IcapLimits.DEFAULTS, 0);
        assertThat(two).extracting(IcapResponse::status).containsExactly(204, 100);
        assertThat(two.getFirst().head().encapsulated()).isEqualTo(Encapsulated.NONE);
    }

    @Test
    void needMoreIsNotAnError() throws Exception {
        IcapResponseDecoder decoder = new IcapResponseDecoder();
        byte[] wire = ascii(response("ICAP/1.0 200 OK", null, PAGE_HEAD, "7\r\nchanged\r\n0\r\n\r\n"));
        for (int i = 0; i < wire.length - 1; i++) {
            List<IcapEvent> events = decoder.feed(ByteBuffer.wrap(wire, i, 1));
            assertThat(events).noneMatch(IcapEvent.End.class::isInstance);
            assertThat(decoder.isBetweenResponses()).isFalse();
        }
        assertThat(decoder.feed(ByteBuffer.wrap(wire, wire.length - 1, 1))).last().isInstanceOf(IcapEvent.End.class);
        assertThat(decoder.isBetweenResponses()).isTrue();
        decoder.endOfInput();
    }

    @Test
    void eventsComeInHeadBodyEndOrder() throws Exception {
        List<IcapEvent> events = new IcapResponseDecoder().feed(ByteBuffer.wrap(ascii(response("ICAP/1.0 200 OK",
                null, PAGE_HEAD, "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"))));
        assertThat(events).hasSize(4);
        assertThat(events.get(0)).isInstanceOf(IcapEvent.Head.class);
        assertThat(events.get(1)).isInstanceOf(IcapEvent.BodyData.class).hasToString("BodyData[3 bytes]");
        assertThat(events.get(2)).isInstanceOf(IcapEvent.BodyData.class);
        assertThat(events.get(3)).isInstanceOfSatisfying(IcapEvent.End.class,
                end -> assertThat(end.head()).isEqualTo(((IcapEvent.Head) events.get(0)).head()));
    }
}
