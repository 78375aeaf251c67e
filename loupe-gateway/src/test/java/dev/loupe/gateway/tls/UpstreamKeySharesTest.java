package dev.loupe.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.tls.ClientHello;
import dev.loupe.core.tls.ClientHelloParse;
import dev.loupe.core.tls.ClientHelloParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ClientHello Loupe sends upstream, read back from the wire: its key shares follow the client's, and its ALPN
 * offer what the client offered of h2 and http/1.1.
 */
class UpstreamKeySharesTest {
    private static TlsContexts tls;

    @BeforeAll
    static void contexts() throws Exception {
        Assumptions.assumeTrue(OpenSsl.isAvailable(), "BoringSSL (netty-tcnative) is what Loupe ships with");
        tls = TlsContexts.create();
    }

    @AfterAll
    static void release() {
        if (tls != null) {
            tls.close();
        }
    }

    @Test
    void aClientThatSentAPostQuantumShareGetsOneUpstream() {
        ClientHello sent = upstreamHello(List.of("h2", "http/1.1"), true);

        // BoringSSL adds an X25519 share for servers without ML-KEM, as Chromium does
        assertThat(sent.keyShareGroups()).containsExactly(0x11ec, 0x001d);
        assertThat(sent.sentPostQuantumKeyShare()).isTrue();
        assertThat(sent.alpnProtocols()).containsExactly("h2", "http/1.1");
    }

    @Test
    void aClientThatSentOnlyAClassicalShareGetsOnlyX25519Upstream() {
        ClientHello sent = upstreamHello(List.of("http/1.1"), false);

        assertThat(sent.keyShareGroups()).containsExactly(0x001d);
        assertThat(sent.sentPostQuantumKeyShare()).isFalse();
        assertThat(sent.alpnProtocols()).containsExactly("http/1.1");
        // and far smaller: an ML-KEM-768 share alone is 1,184 bytes
        assertThat(sent.totalLength()).isLessThan(600);
    }

    @Test
    void connectionsMadeWithoutAClientHelloOfferPostQuantum() {
        assertThat(hello(tls.upstream().newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, "origin.example", 443))
                .sentPostQuantumKeyShare()).isTrue();
    }

    private static ClientHello upstreamHello(List<String> clientAlpn, boolean postQuantum) {
        return hello(tls.upstreamFor(clientAlpn, true, postQuantum)
                .newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, "origin.example", 443));
    }

    private static ClientHello hello(SslHandler handler) {
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        try {
            ByteBuf out = channel.readOutbound();
            assertThat(out).as("the handshake's first flight").isNotNull();
            byte[] bytes = ByteBufUtil.getBytes(out);
            out.release();
            ClientHelloParse parse = ClientHelloParser.parse(bytes, 0, bytes.length);
            assertThat(parse).isInstanceOf(ClientHelloParse.Complete.class);
            return ((ClientHelloParse.Complete) parse).hello();
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
