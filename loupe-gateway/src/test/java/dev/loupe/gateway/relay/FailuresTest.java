package dev.loupe.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    void classifiesByTypeNotByMessage() {
        assertThat(Failures.classify(new UnknownHostException("x.test"))).isEqualTo(Failures.Kind.DNS);
        assertThat(Failures.classify(new ConnectTimeoutException("whatever"))).isEqualTo(Failures.Kind.TIMEOUT);
        assertThat(Failures.classify(new ConnectException("Connection refused"))).isEqualTo(Failures.Kind.REFUSED);
        assertThat(Failures.classify(new ClosedChannelException())).isEqualTo(Failures.Kind.CLOSED);
        assertThat(Failures.classify(new DecoderException(new SSLHandshakeException("bad"))))
                .isEqualTo(Failures.Kind.TLS);
        assertThat(Failures.classify(new java.net.SocketException("Connection reset"))).isEqualTo(Failures.Kind.RESET);
    }

    @Test
    void describesWithTheHostForDnsFailures() {
        assertThat(Failures.describe(new UnknownHostException("no-such.test"))).isEqualTo("could not resolve host no-such.test");
        assertThat(Failures.describe(new ConnectException("x"))).isEqualTo("connection refused");
    }
}
