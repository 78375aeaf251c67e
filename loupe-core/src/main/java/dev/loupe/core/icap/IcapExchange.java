package dev.loupe.core.icap;

import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.util.Objects;

/**
 * Client-side state of one ICAP request/response exchange: what was sent (preview or not, ieof, Allow) decides
 * which responses are legal and what they mean. The transport reports progress ({@link #bodySent()}) and
 * the decoder's events ({@link #onHead}, {@link #onEnd}); the exchange answers with {@link IcapOutcome}s and
 * tells whether the connection may be reused. No I/O and not thread-safe, like the decoder.
 */
public final class IcapExchange {
    private enum Phase { AWAITING_PREVIEW_VERDICT, SENDING_BODY, REQUEST_SENT, ANSWERED, ENDED }

    private final IcapRequest request;
    private Phase phase;
    private boolean continued;
    private boolean answeredEarly;
    private IcapResponseHead answer;

    /** Starts the exchange; call after writing {@code IcapRequestEncoder.head(request)}. */
    public IcapExchange(IcapRequest request) {
        this.request = Objects.requireNonNull(request, "request");
        if (request.expectsContinue()) {
            phase = Phase.AWAITING_PREVIEW_VERDICT;
        } else {
            phase = request.hasBody() && !request.hasPreview() ? Phase.SENDING_BODY : Phase.REQUEST_SENT;
        }
    }

    public IcapRequest request() {
        return request;
    }

    /** Whether the transport has body chunks to write now: right after the head without preview, or after 100. */
    public boolean shouldSendBody() {
        return phase == Phase.SENDING_BODY;
    }

    /** The transport wrote the last chunk of the body ({@code IcapRequestEncoder.lastChunk()}). */
    public void bodySent() {
        if (phase != Phase.SENDING_BODY) {
            throw new IllegalStateException("no body is being sent in phase " + phase);
        }
        phase = Phase.REQUEST_SENT;
    }

    /**
     * Interprets a decoded response head. A final answer while the body is still being sent (an "early
     * response", allowed by the RFC errata) means: stop sending, read the response, then close.
     *
     * @throws IcapProtocolException when the status is not legal at this point of the exchange
     */
    public IcapOutcome onHead(IcapResponseHead head) throws IcapProtocolException {
        if (phase == Phase.ANSWERED || phase == Phase.ENDED) {
            throw unexpected("a response after the final response (" + answer.status() + ")");
        }
        if (head.status() == 100) {
            if (phase != Phase.AWAITING_PREVIEW_VERDICT) {
                throw unexpected("100 Continue although no preview awaits a verdict");
            }
            continued = true;
            phase = Phase.SENDING_BODY;
            return IcapOutcome.CONTINUE;
        }
        boolean inPreview = request.hasPreview() && !continued;
        IcapOutcome outcome = request.method() == IcapMethod.OPTIONS ? options(head) : verdict(head, inPreview);
        answeredEarly = phase == Phase.SENDING_BODY;
        answer = head;
        phase = Phase.ANSWERED;
        return outcome;
    }

    /**
     * The response's End event. A 206 must name where the original body resumes.
     *
     * @throws IcapProtocolException for a 206 without {@code use-original-body}
     */
    public void onEnd(IcapEvent.End end) throws IcapProtocolException {
        if (end.head().status() == 100) {
            return;
        }
        if (phase != Phase.ANSWERED) {
            throw new IllegalStateException("End without a final response head, in phase " + phase);
        }
        if (answer.status() == 206 && end.useOriginalBodyFrom() < 0) {
            throw new IcapProtocolException(Kind.BAD_CHUNK, "206 response ended without use-original-body", -1);
        }
        phase = Phase.ENDED;
    }

    /** The final response has been read completely. */
    public boolean isComplete() {
        return phase == Phase.ENDED;
    }

    /**
     * Whether the connection can serve the next request: the exchange completed, the server did not answer
     * while the body was still being written (the stream may hold half a chunk), and did not say close.
     */
    public boolean connectionReusable() {
        return phase == Phase.ENDED && !answeredEarly && !answer.closesConnection();
    }

    private IcapOutcome options(IcapResponseHead head) throws IcapProtocolException {
        return switch (head.status()) {
            case 200 -> new IcapOutcome.Options(IcapOptions.from(head));
            case 204, 206 -> throw unexpected(head.status() + " in answer to OPTIONS");
            default -> new IcapOutcome.ErrorStatus(head.status(), head.reason(), head);
        };
    }

    private IcapOutcome verdict(IcapResponseHead head, boolean inPreview) throws IcapProtocolException {
        return switch (head.status()) {
            case 204 -> {
                // a 204 to a preview is always legal: the client necessarily still has the whole message
                if (!inPreview && !request.allow204()) {
                    throw unexpected("204 outside preview although Allow: 204 was not offered");
                }
                yield new IcapOutcome.Unmodified(head, inPreview);
            }
            case 200 -> modified(head);
            case 206 -> partial(head);
            default -> new IcapOutcome.ErrorStatus(head.status(), head.reason(), head);
        };
    }

    private IcapOutcome modified(IcapResponseHead head) throws IcapProtocolException {
        if (request.method() == IcapMethod.REQMOD && head.httpResponseHead() != null) {
            return new IcapOutcome.Satisfied(head, head.httpResponseHead());
        }
        return new IcapOutcome.Modified(head, adaptedHead(head));
    }

    private IcapOutcome partial(IcapResponseHead head) throws IcapProtocolException {
        if (!request.allow206()) {
            throw unexpected("206 although Allow: 206 was not offered");
        }
        if (!head.hasBody()) {
            throw new IcapProtocolException(Kind.BAD_ENCAPSULATED, "206 without a body to carry use-original-body", -1);
        }
        return new IcapOutcome.PartialContent(head, adaptedHead(head));
    }

    /** The head of the same kind as the one sent: request for REQMOD, response for RESPMOD. */
    private HttpHead adaptedHead(IcapResponseHead head) throws IcapProtocolException {
        HttpHead adapted = request.method() == IcapMethod.REQMOD ? head.httpRequestHead() : head.httpResponseHead();
        if (adapted == null) {
            throw new IcapProtocolException(Kind.BAD_ENCAPSULATED, head.status() + " to " + request.method()
                    + " encapsulates no " + (request.method() == IcapMethod.REQMOD ? "req-hdr" : "res-hdr"), -1);
        }
        return adapted;
    }

    private static IcapProtocolException unexpected(String what) {
        return new IcapProtocolException(Kind.UNEXPECTED_RESPONSE, what, -1);
    }
}
