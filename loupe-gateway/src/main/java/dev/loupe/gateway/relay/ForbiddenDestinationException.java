package dev.loupe.gateway.relay;

import java.io.IOException;

/** A connection Loupe refused to make for a client (its own listener, a local address, a block rule). */
public final class ForbiddenDestinationException extends IOException {
    public ForbiddenDestinationException(String reason) {
        super(reason, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // an expected refusal, not a bug: no stack trace to collect
    }
}
