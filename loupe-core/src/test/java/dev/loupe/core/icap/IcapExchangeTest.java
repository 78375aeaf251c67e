package dev.loupe.core.icap;

import static dev.loupe.core.icap.IcapResponseDecoderTest.GET_HEAD;
import static dev.loupe.core.icap.IcapResponseDecoderTest.PAGE_HEAD;
import static dev.loupe.core.icap.IcapResponseDecoderTest.response;
import static dev.loupe.core.icap.IcapTranscripts.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The client-side rules: which statuses are legal when, what they mean, and when a connection is reusable. */
class IcapExchangeTest {
    private static final URI SERVICE = URI.create("icap://127.0.0.1/virus_scan");
    private static final byte[] BODY = ascii("x".repeat(100));

    private static IcapRequestBuilder respmod() {
        return IcapRequest.builder(IcapMethod.RESPMOD, SERVICE).httpRequestHead(ascii(GET_HEAD))
                .httpResponseHead(ascii(PAGE_HEAD));
    }

    private static IcapResponseHead head(String wire) throws IcapProtocolException {
        return IcapResponseDecoderTest.decodeOne(wire).head();
    }

    private static IcapEvent.End end(IcapResponseHead head, long useOriginalBodyFrom) {
        return new IcapEvent.End(head, IcapHeaders.EMPTY, useOriginalBodyFrom);
    }

    @Test
    void previewContinueThenUnmodified() throws Exception {
        IcapExchange exchange = new IcapExchange(respmod().previewFrom(10, BODY, true).allow204(true).build());
        assertThat(exchange.shouldSendBody()).isFalse();

        assertThat(exchange.onHead(head("ICAP/1.0 100 Continue\r\n\r\n"))).isSameAs(IcapOutcome.CONTINUE);
        assertThat(exchange.shouldSendBody()).isTrue();
        exchange.onEnd(end(head("ICAP/1.0 100 Continue\r\n\r\n"), -1));
        exchange.bodySent();

        IcapResponseHead noContent = head("ICAP/1.0 204 Unmodified\r\nISTag: x\r\n\r\n");
        assertThat(exchange.onHead(noContent)).isEqualTo(new IcapOutcome.Unmodified(noContent, false));
        assertThat(exchange.connectionReusable()).isFalse(); // not before the response ended
        exchange.onEnd(end(noContent, -1));
        assertThat(exchange.isComplete()).isTrue();
        assertThat(exchange.connectionReusable()).isTrue();
    }

    @Test
    void a204ToAPreviewIsLegalEvenWithoutAllow204AndStopsTheBody() throws Exception {
        IcapExchange partialPreview = new IcapExchange(respmod().previewFrom(10, BODY, true).build());
        IcapResponseHead noContent = head("ICAP/1.0 204 Unmodified\r\n\r\n");
        assertThat(partialPreview.onHead(noContent)).isEqualTo(new IcapOutcome.Unmodified(noContent, true));
        assertThat(partialPreview.shouldSendBody()).isFalse();

        IcapExchange wholePreview = new IcapExchange(respmod().previewFrom(1024, BODY, true).build());
        assertThat(wholePreview.onHead(noContent)).isEqualTo(new IcapOutcome.Unmodified(noContent, true));
    }

    @Test
    void a204OutsidePreviewNeedsAllow204() throws Exception {
        IcapResponseHead noContent = head("ICAP/1.0 204 Unmodified\r\n\r\n");
        IcapExchange offered = new IcapExchange(respmod().body().allow204(true).build());
        assertThat(offered.shouldSendBody()).isTrue();
        offered.bodySent();
        assertThat(offered.onHead(noContent)).isEqualTo(new IcapOutcome.Unmodified(noContent, false));

        IcapExchange notOffered = new IcapExchange(respmod().body().build());
        notOffered.bodySent();
        assertUnexpected(() -> notOffered.onHead(noContent));
    }

    @Test
    void continueIsOnlyLegalWhileAPreviewAwaitsItsVerdict() throws Exception {
        IcapResponseHead proceed = head("ICAP/1.0 100 Continue\r\n\r\n");
        assertUnexpected(() -> new IcapExchange(respmod().previewFrom(1024, BODY, true).build()).onHead(proceed));
        assertUnexpected(() -> new IcapExchange(respmod().body().build()).onHead(proceed));
        assertUnexpected(() -> new IcapExchange(IcapRequest.options(SERVICE)).onHead(proceed));

        IcapExchange twice = new IcapExchange(respmod().previewFrom(10, BODY, false).build());
        twice.onHead(proceed);
        assertUnexpected(() -> twice.onHead(proceed));
    }

    @Test
    void partialContentNeedsAllow206AndAnOriginalBodyOffset() throws Exception {
        IcapResponseHead partial = head(response("ICAP/1.0 206 Partial Content", null, PAGE_HEAD,
                "0; use-original-body=0\r\n\r\n"));
        assertUnexpected(() -> new IcapExchange(respmod().previewFrom(10, BODY, false).allow204(true).build())
                .onHead(partial));

        IcapExchange exchange = new IcapExchange(respmod().previewFrom(10, BODY, false).allow206(true).build());
        assertThat(exchange.onHead(partial)).isEqualTo(new IcapOutcome.PartialContent(partial,
                partial.httpResponseHead()));
        assertThatThrownBy(() -> exchange.onEnd(end(partial, -1))).isInstanceOfSatisfying(
                IcapProtocolException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_CHUNK));
        exchange.onEnd(end(partial, 0));
        assertThat(exchange.connectionReusable()).isTrue();
    }

    @Test
    void reqmodAnswersAreModifiedRequestsOrSatisfyingResponses() throws Exception {
        IcapRequest reqmod = IcapRequest.builder(IcapMethod.REQMOD, SERVICE).httpRequestHead(ascii(GET_HEAD)).build();
        IcapResponseHead changed = head(response("ICAP/1.0 200 OK", GET_HEAD, null, null));
        IcapResponseHead blocked = head(response("ICAP/1.0 200 OK", null, PAGE_HEAD, "0\r\n\r\n"));

        assertThat(new IcapExchange(reqmod).onHead(changed))
                .isEqualTo(new IcapOutcome.Modified(changed, changed.httpRequestHead()));
        assertThat(new IcapExchange(reqmod).onHead(blocked))
                .isEqualTo(new IcapOutcome.Satisfied(blocked, blocked.httpResponseHead()));
        assertThat(new IcapExchange(respmod().body().build()).onHead(blocked))
                .isEqualTo(new IcapOutcome.Modified(blocked, blocked.httpResponseHead()));
        assertThatThrownBy(() -> new IcapExchange(respmod().body().build()).onHead(changed))
                .isInstanceOfSatisfying(IcapProtocolException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.BAD_ENCAPSULATED));
    }

    @Test
    void errorsOptionsAndResponsesAfterTheFinalOne() throws Exception {
        IcapResponseHead failed = head("ICAP/1.0 500 Server Error\r\n\r\n");
        IcapExchange exchange = new IcapExchange(respmod().previewFrom(10, BODY, false).build());
        assertThat(exchange.onHead(failed)).isEqualTo(new IcapOutcome.ErrorStatus(500, "Server Error", failed));
        assertUnexpected(() -> exchange.onHead(failed));

        IcapExchange options = new IcapExchange(IcapRequest.options(SERVICE));
        IcapResponseHead notFound = head("ICAP/1.0 404 ICAP Service not found\r\n\r\n");
        assertThat(options.onHead(notFound)).isInstanceOf(IcapOutcome.ErrorStatus.class);
        assertUnexpected(() -> new IcapExchange(IcapRequest.options(SERVICE))
                .onHead(head("ICAP/1.0 204 No Content\r\n\r\n")));
    }

    @Test
    void earlyAnswersAndConnectionCloseForbidReuse() throws Exception {
        IcapResponseHead blocked = head(response("ICAP/1.0 200 OK", null, PAGE_HEAD, "0\r\n\r\n"));
        IcapExchange early = new IcapExchange(respmod().body().build());
        early.onHead(blocked); // the transport had not finished writing the body
        assertThat(early.shouldSendBody()).isFalse();
        early.onEnd(end(blocked, -1));
        assertThat(early.connectionReusable()).isFalse();

        IcapResponseHead closing = head("ICAP/1.0 204 Unmodified\r\nConnection: close\r\n\r\n");
        IcapExchange closed = new IcapExchange(respmod().previewFrom(1024, BODY, true).build());
        closed.onHead(closing);
        closed.onEnd(end(closing, -1));
        assertThat(closed.connectionReusable()).isFalse();
        assertThatThrownBy(closed::bodySent).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void capturedContinueExchangesPlayOutAsATransportWouldSeeThem() throws Exception {
        for (String name : List.of("icap-cicapclient-3", "icap-cicapclient-7")) {
            List<WireRequests.WireRequest> sent = WireRequests.parse(IcapTranscripts.clientBytes(name));
            List<IcapEvent> events = new IcapResponseDecoder().feed(ByteBuffer.wrap(IcapTranscripts.serverBytes(name)));
            IcapExchange options = new IcapExchange(IcapRequest.options(URI.create(sent.get(0).uri())));
            IcapRequest scan = respmod().previewFrom(1024, sent.get(1).wholeBody(), true).allow204(true).build();
            IcapExchange exchange = new IcapExchange(scan);

            List<IcapOutcome> outcomes = new ArrayList<>();
            for (IcapEvent event : events) {
                IcapExchange current = options.isComplete() ? exchange : options;
                if (event instanceof IcapEvent.Head h) {
                    outcomes.add(current.onHead(h.head()));
                    if (current.shouldSendBody()) {
                        current.bodySent(); // the transport streams body[previewLength..] and the last chunk here
                    }
                } else if (event instanceof IcapEvent.End e) {
                    current.onEnd(e);
                }
            }
            assertThat(outcomes).hasSize(3);
            assertThat(outcomes.get(0)).isInstanceOfSatisfying(IcapOutcome.Options.class,
                    o -> assertThat(o.options().preview()).isEqualTo(1024));
            assertThat(outcomes.get(1)).isSameAs(IcapOutcome.CONTINUE);
            assertThat(outcomes.get(2)).isInstanceOf(name.endsWith("3") ? IcapOutcome.Unmodified.class
                    : IcapOutcome.Modified.class);
            assertThat(exchange.connectionReusable()).isTrue();
        }
    }

    private static void assertUnexpected(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(IcapProtocolException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.UNEXPECTED_RESPONSE));
    }
}
