package dev.loupe.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {
    @Test
    void removesFixedHopByHopHeadersAndThoseNamedByConnection() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-Secret-Hop")
                .add("Keep-Alive", "timeout=5")
                .add("Proxy-Connection", "keep-alive")
                .add("Proxy-Authorization", "Basic Zm9vOmJhcg==")
                .add("TE", "trailers")
                .add("Transfer-Encoding", "chunked")
                .add("Upgrade", "websocket")
                .add("X-Secret-Hop", "1")
                .add("Host", "example.org")
                .add("Content-Type", "text/plain");
        HopByHopHeaders.strip(h);
        assertThat(h.names()).containsExactlyInAnyOrder("Host", "Content-Type");
    }

    @Test
    void neverDropsFramingOrRoutingHeadersNamedByConnection() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "content-length, host, x-other")
                .add("Content-Length", "40")
                .add("Host", "example.org")
                .add("X-Other", "1");
        HopByHopHeaders.strip(h);
        assertThat(h.names()).containsExactlyInAnyOrder("Content-Length", "Host");
    }

    @Test
    void recognisesUpgradeRequests() {
        assertThat(HopByHopHeaders.isUpgrade(new DefaultHttpHeaders()
                .add("Connection", "keep-alive, Upgrade").add("Upgrade", "websocket"))).isTrue();
        assertThat(HopByHopHeaders.isUpgrade(new DefaultHttpHeaders().add("Upgrade", "websocket"))).isFalse();
    }
}
