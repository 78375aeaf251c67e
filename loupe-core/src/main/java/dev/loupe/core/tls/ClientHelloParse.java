package dev.loupe.core.tls;

import java.util.Objects;

/**
 * Outcome of looking at the first bytes a client sent. The four cases map to four different actions
 * by the caller, which is why a truncated hello ({@link NeedMore}) is kept apart from a broken one
 * ({@link Malformed}) and from traffic that is not TLS at all ({@link NotTls}).
 */
public sealed interface ClientHelloParse
        permits ClientHelloParse.Complete, ClientHelloParse.NeedMore, ClientHelloParse.NotTls, ClientHelloParse.Malformed {

    /** Shared instance: waiting for more bytes is the common case and carries no data. */
    NeedMore NEED_MORE = new NeedMore();

    /** The whole ClientHello was present; {@link ClientHello#totalLength()} says how many bytes it used. */
    record Complete(ClientHello hello) implements ClientHelloParse {
        public Complete {
            Objects.requireNonNull(hello, "hello");
        }
    }

    /** Everything so far is a plausible prefix of a ClientHello. */
    record NeedMore() implements ClientHelloParse {
    }

    /** The bytes are not a TLS handshake record (plain HTTP, SSH, ...): relay them untouched. */
    record NotTls(String reason) implements ClientHelloParse {
        public NotTls {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The bytes start like TLS but cannot be a valid ClientHello: close the connection and log why. */
    record Malformed(String reason) implements ClientHelloParse {
        public Malformed {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
