package dev.loupe.core.icap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.core.icap.IcapOptions.Transfer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** OPTIONS parsing beyond the captures, and the Transfer-* semantics behind shouldPreview. */
class IcapOptionsTest {

    private static IcapOptions options(String headers) throws IcapProtocolException {
        return IcapOptions.from(IcapResponseDecoderTest.decodeOne("ICAP/1.0 200 OK\r\n" + headers + "\r\n").head());
    }

    @Test
    void transferListsDecideBetweenPreviewCompleteAndIgnore() throws Exception {
        IcapOptions options = options("Preview: 4096\r\nTransfer-Preview: *\r\nTransfer-Ignore: jpg, .GIF\r\n"
                + "Transfer-Complete: exe\r\nTransfer-Complete: bat\r\n");

        assertThat(options.transferIgnore()).containsExactly("jpg", "gif");
        assertThat(options.transferComplete()).containsExactly("exe", "bat");
        assertThat(options.transferFor("jpg")).isEqualTo(Transfer.IGNORE);
        assertThat(options.transferFor(".Gif")).isEqualTo(Transfer.IGNORE);
        assertThat(options.transferFor("EXE")).isEqualTo(Transfer.COMPLETE);
        assertThat(options.transferFor("html")).isEqualTo(Transfer.PREVIEW);
        assertThat(options.transferFor(null)).isEqualTo(Transfer.PREVIEW);
        assertThat(options.shouldPreview("html")).isTrue();
        assertThat(options.shouldPreview("exe")).isFalse();
        assertThat(options.shouldPreview("jpg")).isFalse();
    }

    @Test
    void wildcardInAnotherListAppliesToUnlistedExtensionsOnly() throws Exception {
        IcapOptions options = options("Preview: 0\r\nTransfer-Complete: *\r\nTransfer-Preview: html, js\r\n");
        assertThat(options.transferFor("js")).isEqualTo(Transfer.PREVIEW);
        assertThat(options.transferFor("zip")).isEqualTo(Transfer.COMPLETE);
        assertThat(options.transferFor("")).isEqualTo(Transfer.COMPLETE);

        IcapOptions ignoreAll = options("Preview: 0\r\nTransfer-Ignore: *\r\nTransfer-Preview: exe\r\n");
        assertThat(ignoreAll.transferFor("exe")).isEqualTo(Transfer.PREVIEW);
        assertThat(ignoreAll.transferFor("png")).isEqualTo(Transfer.IGNORE);
    }

    @Test
    void withoutPreviewOrListsNothingIsPreviewed() throws Exception {
        IcapOptions options = options("Methods: respmod\r\nAllow: 204\r\nAllow: 206\r\nMax-Connections: 100\r\n");
        assertThat(options.preview()).isNull();
        assertThat(options.transferFor("exe")).isEqualTo(Transfer.PREVIEW);
        assertThat(options.shouldPreview("exe")).isFalse();
        assertThat(options.supports(IcapMethod.RESPMOD)).isTrue();
        assertThat(options.supports(IcapMethod.REQMOD)).isFalse();
        assertThat(options.allow204()).isTrue();
        assertThat(options.allow206()).isTrue();
        assertThat(options.maxConnections()).isEqualTo(100);
        assertThat(options.isTag()).isNull();
        assertThat(options.optionsTtl()).isNull();
    }

    @Test
    void malformedOptionalNumbersCountAsAbsent() throws Exception {
        IcapOptions options = options("Preview: lots\r\nOptions-TTL: -5\r\nMax-Connections: 99999999999\r\n");
        assertThat(options.preview()).isNull();
        assertThat(options.optionsTtl()).isNull();
        assertThat(options.maxConnections()).isNull();
        assertThat(options("Options-TTL: 60\r\n").optionsTtl()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void onlyA200CarriesOptions() throws Exception {
        IcapResponseHead notFound = IcapResponseDecoderTest.decodeOne("ICAP/1.0 404 Not Found\r\n\r\n").head();
        assertThatThrownBy(() -> IcapOptions.from(notFound)).isInstanceOf(IllegalArgumentException.class);
    }
}
