package dev.loupe.core.icap;

import java.util.Objects;

/**
 * What an ICAP response means for the HTTP message the client holds, as decided by {@link IcapExchange} from
 * the response head. Each case is a different action for the transport (see the package docs); the body of
 * a Modified/Satisfied/PartialContent response follows as {@link IcapEvent.BodyData} events.
 */
public sealed interface IcapOutcome {

    /** Shared instance: 100 carries nothing. */
    Continue CONTINUE = new Continue();

    /** 100 Continue after a preview: send the rest of the body, then read the final response. */
    record Continue() implements IcapOutcome {
    }

    /** 204: use the original message unchanged; {@code inPreview} when decided before the body was complete. */
    record Unmodified(IcapResponseHead head, boolean inPreview) implements IcapOutcome {
        public Unmodified {
            Objects.requireNonNull(head, "head");
        }
    }

    /**
     * 200 with a message of the kind that was sent: the adapted request (REQMOD) or response (RESPMOD).
     * It replaces the original head; its body, if {@code head.hasBody()}, replaces the original body.
     */
    record Modified(IcapResponseHead head, HttpHead message) implements IcapOutcome {
        public Modified {
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * 200 to a REQMOD carrying an HTTP response (RFC 3507 "request satisfaction", e.g. a block page): send it
     * to the client and never contact the origin.
     */
    record Satisfied(IcapResponseHead head, HttpHead response) implements IcapOutcome {
        public Satisfied {
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(response, "response");
        }
    }

    /**
     * 206: the encapsulated head and body prefix replace the original; the original body continues from the
     * offset in {@link IcapEvent.End#useOriginalBodyFrom()} (known only when the response ends).
     */
    record PartialContent(IcapResponseHead head, HttpHead message) implements IcapOutcome {
        public PartialContent {
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(message, "message");
        }
    }

    /** 200 to OPTIONS. */
    record Options(IcapOptions options) implements IcapOutcome {
        public Options {
            Objects.requireNonNull(options, "options");
        }
    }

    /** Any other status (4xx/5xx and oddities): the service failed; fail open or closed by policy. */
    record ErrorStatus(int code, String reason, IcapResponseHead head) implements IcapOutcome {
        public ErrorStatus {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(head, "head");
        }
    }
}
