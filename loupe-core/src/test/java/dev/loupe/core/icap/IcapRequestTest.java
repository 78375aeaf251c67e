package dev.loupe.core.icap;

import static dev.loupe.core.icap.IcapTranscripts.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests that could not be encoded correctly cannot be built. */
class IcapRequestTest {
    private static final URI SERVICE = URI.create("icap://icap.test/reqmod");
    private static final byte[] GET = ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

    private static IcapRequestBuilder reqmod() {
        return IcapRequest.builder(IcapMethod.REQMOD, SERVICE).httpRequestHead(GET);
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice\r\nX-Evil: 1", "bob\n", "nul\u0000", "kanji\u540d"})
    void headerValuesThatWouldCorruptTheHeadAreRejected(String value) {
        assertThatThrownBy(() -> reqmod().header("X-Authenticated-User", value).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Encapsulated", "preview", "Host", "ALLOW", "Bad Name", "", "X:Y"})
    void generatedOrInvalidHeaderNamesAreRejected(String name) {
        assertThatThrownBy(() -> reqmod().header(name, "1").build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void messagesMustMatchTheMethod() {
        assertThatThrownBy(() -> IcapRequest.builder(IcapMethod.REQMOD, SERVICE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REQMOD needs");
        assertThatThrownBy(() -> IcapRequest.builder(IcapMethod.RESPMOD, SERVICE).httpRequestHead(GET).body().build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IcapRequest.builder(IcapMethod.OPTIONS, SERVICE).body().build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> reqmod().httpRequestHead(ascii("GET / HTTP/1.1\r\n")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CRLF CRLF");
        assertThatThrownBy(() -> reqmod().httpRequestHead(ascii("GET / HTTP/1.1\r\n\r\nX: y\r\n\r\n")).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IcapRequest.options(URI.create("http://icap.test/x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void previewsAreConsistent() {
        assertThatThrownBy(() -> reqmod().preview(2, ascii("abc"), false).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> new IcapRequest(IcapMethod.REQMOD, SERVICE, null, GET, null, false, 0, null, false,
                false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IcapRequest(IcapMethod.REQMOD, SERVICE, null, GET, null, true, -1, ascii("a"),
                false, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> reqmod().previewFrom(-1, ascii("a"), true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void previewFromTakesWhatFitsAndMarksTheWholeBody() {
        IcapRequest exact = reqmod().previewFrom(3, ascii("abc"), true).build();
        assertThat(exact.previewIsWholeBody()).isTrue();
        assertThat(exact.expectsContinue()).isFalse();

        IcapRequest longer = reqmod().previewFrom(2, ascii("abc"), true).build();
        assertThat(longer.previewBytes()).isEqualTo(ascii("ab"));
        assertThat(longer.previewIsWholeBody()).isFalse();
        assertThat(longer.previewLength()).isEqualTo(2);

        IcapRequest unfinished = reqmod().previewFrom(10, ascii("abc"), false).build();
        assertThat(unfinished.previewBytes()).isEqualTo(ascii("abc"));
        assertThat(unfinished.expectsContinue()).isTrue();
    }

    @Test
    void isAValueThatDoesNotShareItsArrays() {
        byte[] head = GET.clone();
        IcapRequest request = reqmod().httpRequestHead(head).previewFrom(10, ascii("abc"), true).build();
        head[0] = 'X';
        request.httpRequestHead()[0] = 'Y';
        request.previewBytes()[0] = 'Z';
        assertThat(request.httpRequestHead()).isEqualTo(GET);
        assertThat(request.previewBytes()).isEqualTo(ascii("abc"));
        assertThat(request).isEqualTo(reqmod().previewFrom(10, ascii("abc"), true).build())
                .hasSameHashCodeAs(reqmod().previewFrom(10, ascii("abc"), true).build());
        assertThat(request.toString()).contains("REQMOD", "preview=3/10 ieof");
    }
}
