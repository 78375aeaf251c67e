package dev.loupe.gateway.tls;

import dev.loupe.gateway.relay.Failures;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Tells a client that refused Loupe's forged certificate (what an automatic bypass may count) from every
 * other failed handshake (what it must never count: no shared cipher, a scanner's odd hello, a timeout).
 *
 * <p>Counted: a certificate-rejection alert from the client ({@code bad_certificate}, {@code unknown_ca},
 * {@code certificate_unknown}, {@code decrypt_error}, ...), or an abort (close, reset, or bytes that are no
 * handshake message, as OpenSSL clients send) after Loupe's certificate flight was written. Any other alert
 * ({@code close_notify}: testssl.sh ends its probes so) and other TLS errors never count. Failures before
 * that flight (Loupe refused the hello: no shared cipher, bad version) and timeouts never count. The alert is read from the TLS
 * library's error text (BoringSSL {@code TLSV1_ALERT_UNKNOWN_CA}, the JDK's {@code unknown_ca}): neither
 * offers it any other way.
 */
public final class ClientRejections {
    /** More than an alert record: the server flight with the certificate was written. */
    static final long CERTIFICATE_FLIGHT_BYTES = 100;
    private static final List<String> ALERTS = List.of("BAD_CERTIFICATE", "UNKNOWN_CA", "CERTIFICATE_UNKNOWN",
            "DECRYPT_ERROR", "UNSUPPORTED_CERTIFICATE", "CERTIFICATE_REVOKED", "CERTIFICATE_EXPIRED");
    private static final String ABORT_SIGNATURE = "BAD_PACKET_LENGTH";

    private ClientRejections() {
    }

    /**
     * How the client rejected the certificate, or empty when this failure is something else.
     *
     * @param bytesSent bytes written to the client since its ClientHello was answered
     */
    public static Optional<String> rejection(Throwable cause, long bytesSent) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = upper(t);
            if (message.contains("ALERT")) {
                for (String alert : ALERTS) {
                    if (message.contains(alert)) {
                        return Optional.of("alert " + alert.toLowerCase(Locale.ROOT));
                    }
                }
                // any other alert (close_notify, user_canceled, protocol_version...) says something else
                return Optional.empty();
            }
        }
        if (bytesSent <= CERTIFICATE_FLIGHT_BYTES) {
            return Optional.empty(); // it never got our certificate: nothing about it was rejected
        }
        Failures.Kind kind = Failures.classify(cause);
        // OpenSSL clients that fail verification abort with bytes BoringSSL reports as BAD_PACKET_LENGTH; other
        // TLS errors (a scanner's record of the wrong version, a malformed message) are not about the certificate
        boolean opensslAbort = kind == Failures.Kind.TLS && anyMessageContains(cause, ABORT_SIGNATURE);
        boolean closed = kind == Failures.Kind.CLOSED || kind == Failures.Kind.RESET || opensslAbort
                || cause instanceof io.netty.handler.ssl.SslClosedEngineException;
        return closed ? Optional.of("aborted after the certificate") : Optional.empty();
    }

    private static boolean anyMessageContains(Throwable cause, String text) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (upper(t).contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static String upper(Throwable t) {
        return t.getMessage() == null ? "" : t.getMessage().toUpperCase(Locale.ROOT).replace(' ', '_');
    }
}
