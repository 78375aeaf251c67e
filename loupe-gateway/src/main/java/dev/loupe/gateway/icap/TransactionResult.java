package dev.loupe.gateway.icap;

import dev.loupe.gateway.pipeline.BodySpool;

import dev.loupe.core.icap.HttpHead;
import dev.loupe.core.icap.IcapOptions;
import dev.loupe.core.icap.IcapResponseHead;

/** How one ICAP transaction on one server ended. */
sealed interface TransactionResult {

    /** The answer to OPTIONS. */
    record Options(IcapOptions options) implements TransactionResult {
    }

    /** 204: the message passes as it was. */
    record Unmodified() implements TransactionResult {
    }

    /**
     * 200 or 206: a new head and body replace the message. {@code satisfied} when a REQMOD was answered
     * with a response (the origin is not contacted). {@code body} is null when the new message has none;
     * for a 206 it already holds the original body's remainder.
     */
    record Adapted(IcapResponseHead icap, HttpHead head, BodySpool body, boolean satisfied)
            implements TransactionResult {
    }

    /** The server asked not to be sent such messages (Transfer-Ignore, or it lacks the method). */
    record Skipped(String reason) implements TransactionResult {
    }

    /** The server could not do the job; another server may. */
    record Failed(String reason) implements TransactionResult {
    }
}
