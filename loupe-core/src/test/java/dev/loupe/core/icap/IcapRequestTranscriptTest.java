package dev.loupe.core.icap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.icap.WireRequests.WireRequest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The encoder against real clients: every request c-icap-client sent is reproduced byte for byte (same
 * header order once its User-Agent is added), and every squid request is reproduced with the same meaning
 * (squid orders headers differently and adds Date and "Allow: trailers").
 */
class IcapRequestTranscriptTest {
    private final IcapRequestEncoder encoder = new IcapRequestEncoder();

    static List<String> cicapClient() {
        return IcapTranscripts.CICAP_CLIENT;
    }

    static List<String> squid() {
        return IcapTranscripts.SQUID;
    }

    @ParameterizedTest
    @MethodSource("cicapClient")
    void cicapClientStreamIsReproducedExactly(String name) {
        byte[] captured = IcapTranscripts.clientBytes(name);
        ByteArrayOutputStream ours = new ByteArrayOutputStream();
        for (WireRequest wire : WireRequests.parse(captured)) {
            writeLikeATransport(rebuild(wire, Set.of("User-Agent")), wire, ours);
        }
        assertThat(ours.toByteArray()).isEqualTo(captured);
    }

    @ParameterizedTest
    @MethodSource("squid")
    void squidRequestsAreReproducedWithTheSameMeaning(String name) {
        List<WireRequest> captured = WireRequests.parse(IcapTranscripts.clientBytes(name));
        assertThat(captured).hasSizeGreaterThan(1);
        for (WireRequest theirs : captured) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            writeLikeATransport(rebuild(theirs, Set.of("X-Client-IP")), theirs, bytes);
            WireRequest ours = WireRequests.parse(bytes.toByteArray()).getFirst();
            assertSameMeaning(ours, theirs);
        }
    }

    @Test
    void capturedRequestsCoverPreviewIeofContinueAndNullBody() {
        List<WireRequest> all = IcapTranscripts.ALL.stream()
                .flatMap(name -> WireRequests.parse(IcapTranscripts.clientBytes(name)).stream()).toList();
        assertThat(all).anyMatch(WireRequest::ieof);
        assertThat(all).anyMatch(r -> !r.continuation().isEmpty());
        assertThat(all).anyMatch(r -> r.hasBody() && r.header("Preview") == null);
        assertThat(all).anyMatch(r -> r.encapsulated().containsKey("null-body") && r.method().equals("REQMOD"));
        assertThat(all).anyMatch(r -> r.encapsulated().containsKey("req-body"));
    }

    /** What the gateway would send: the head, then (after 100 Continue, or right away) chunks and last-chunk. */
    private void writeLikeATransport(IcapRequest request, WireRequest wire, ByteArrayOutputStream out) {
        out.writeBytes(encoder.head(request));
        List<byte[]> streamed = request.hasPreview() ? wire.continuation() : request.hasBody() ? wire.firstChunks()
                : List.of();
        for (byte[] chunk : streamed) {
            out.writeBytes(encoder.chunk(chunk, 0, chunk.length));
        }
        if (request.hasBody() && !request.hasPreview() || !wire.continuation().isEmpty()) {
            out.writeBytes(encoder.lastChunk());
        }
    }

    private static IcapRequest rebuild(WireRequest wire, Set<String> keptHeaders) {
        IcapRequestBuilder builder = IcapRequest.builder(IcapMethod.valueOf(wire.method()), URI.create(wire.uri()))
                .httpRequestHead(wire.httpRequestHead()).httpResponseHead(wire.httpResponseHead())
                .allow204(wire.allowTokens().contains("204")).allow206(wire.allowTokens().contains("206"));
        wire.headers().stream().filter(h -> keptHeaders.contains(h[0])).forEach(h -> builder.header(h[0], h[1]));
        String preview = wire.header("Preview");
        if (wire.hasBody() && preview != null) {
            builder.preview(Integer.parseInt(preview), wire.firstBytes(), wire.ieof());
        } else if (wire.hasBody()) {
            builder.body();
        }
        return builder.build();
    }

    private static void assertSameMeaning(WireRequest ours, WireRequest theirs) {
        assertThat(ours.method()).isEqualTo(theirs.method());
        assertThat(ours.uri()).isEqualTo(theirs.uri());
        assertThat(ours.header("Host")).isEqualTo(theirs.header("Host"));
        assertThat(ours.header("X-Client-IP")).isEqualTo(theirs.header("X-Client-IP"));
        assertThat(ours.encapsulated()).isEqualTo(theirs.encapsulated());
        assertThat(ours.httpRequestHead()).isEqualTo(theirs.httpRequestHead());
        assertThat(ours.httpResponseHead()).isEqualTo(theirs.httpResponseHead());
        assertThat(ours.allowTokens()).containsAll(theirs.allowTokens().stream()
                .filter(token -> !token.equals("trailers")).toList());
        assertThat(ours.hasBody()).isEqualTo(theirs.hasBody());
        if (theirs.hasBody()) {
            // squid also sends "Preview: 0" on null-body requests, where it means nothing
            assertThat(ours.header("Preview")).isEqualTo(theirs.header("Preview"));
            assertThat(ours.firstBytes()).isEqualTo(theirs.firstBytes());
            assertThat(ours.terminator()).isEqualTo(theirs.terminator());
            assertThat(ours.wholeBody()).isEqualTo(theirs.wholeBody());
        }
    }
}
