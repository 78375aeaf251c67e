package dev.loupe.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ClientRejectionsTest {
    @Test
    void certificateAlertsCountWhateverWasSent() {
        assertThat(ClientRejections.rejection(new SSLHandshakeException(
                "error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA"), 0)).hasValue("alert unknown_ca");
        assertThat(ClientRejections.rejection(new SSLHandshakeException("Received fatal alert: bad_certificate"), 0))
                .hasValue("alert bad_certificate");
    }

    @Test
    void abortsCountOnlyAfterTheCertificateFlight() {
        var garbage = new SSLHandshakeException("error:10000070:SSL routines:OPENSSL_internal:BAD_PACKET_LENGTH");
        assertThat(ClientRejections.rejection(garbage, 1300)).isPresent();
        assertThat(ClientRejections.rejection(new ClosedChannelException(), 1300)).isPresent();
        assertThat(ClientRejections.rejection(new ClosedChannelException(), 7)).as("only an alert was sent").isEmpty();
        assertThat(ClientRejections.rejection(new SSLHandshakeException(
                "error:100000c0:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER"), 7)).isEmpty();
    }

    @Test
    void otherAlertsAndProtocolErrorsNeverCountEvenAfterTheCertificate() {
        // what testssl.sh's probes end with: a clean close_notify, or a record of another version
        assertThat(ClientRejections.rejection(new SSLHandshakeException(
                "error:100003e8:SSL routines:OPENSSL_internal:SSLV3_ALERT_CLOSE_NOTIFY"), 1300)).isEmpty();
        assertThat(ClientRejections.rejection(new SSLHandshakeException(
                "error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER"), 1300)).isEmpty();
        assertThat(ClientRejections.rejection(new SSLHandshakeException(
                "error:1000042e:SSL routines:OPENSSL_internal:TLSV1_ALERT_PROTOCOL_VERSION"), 1300)).isEmpty();
    }

    @Test
    void timeoutsNeverCount() {
        assertThat(ClientRejections.rejection(new SslHandshakeTimeoutException("handshake timed out"), 1300)).isEmpty();
    }
}
