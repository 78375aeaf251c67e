package dev.loupe.gateway.relay;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.unix.Errors;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;

/**
 * Turns an I/O failure into the short reason Loupe logs and shows, by exception type and errno —
 * never by matching message text.
 */
public final class Failures {
    private Failures() {
    }

    public enum Kind { FORBIDDEN, DNS, REFUSED, TIMEOUT, RESET, UNREACHABLE, TLS, CLOSED, OTHER }

    public static Kind classify(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof ForbiddenDestinationException) {
            return Kind.FORBIDDEN;
        }
        if (c instanceof UnknownHostException) {
            return Kind.DNS;
        }
        if (c instanceof ConnectTimeoutException || c instanceof SslHandshakeTimeoutException
                || c instanceof java.net.SocketTimeoutException) {
            return Kind.TIMEOUT;
        }
        if (c instanceof NoRouteToHostException) {
            return Kind.UNREACHABLE;
        }
        if (c instanceof Errors.NativeIoException n) {
            int err = n.expectedErr();
            if (err == Errors.ERRNO_ECONNRESET_NEGATIVE || err == Errors.ERRNO_EPIPE_NEGATIVE) {
                return Kind.RESET;
            }
        }
        if (c instanceof ConnectException) {
            return Kind.REFUSED;
        }
        if (c instanceof SSLException) {
            return Kind.TLS;
        }
        if (c instanceof ClosedChannelException) {
            return Kind.CLOSED;
        }
        if (c instanceof java.net.SocketException) {
            return Kind.RESET;
        }
        return Kind.OTHER;
    }

    public static String describe(Throwable t) {
        Throwable c = unwrap(t);
        String message = c.getMessage();
        return switch (classify(c)) {
            case FORBIDDEN -> message;
            case DNS -> "could not resolve host" + (message == null ? "" : " " + message);
            case REFUSED -> "connection refused";
            case TIMEOUT -> "timed out";
            case RESET -> "connection reset";
            case UNREACHABLE -> "no route to host";
            case CLOSED -> "connection closed";
            case TLS -> "TLS error: " + (message == null ? c.getClass().getSimpleName() : message);
            case OTHER -> c.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        };
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof DecoderException || c instanceof java.util.concurrent.CompletionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
