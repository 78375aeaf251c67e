package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ICAP extensions c-icap really speaks, end to end: partial content (206, draft-icap-ext-partial-content,
 * with c-icap's ex206 service, which answers from the preview with a new prefix and {@code use-original-body})
 * and {@code Options-TTL} (the service's OPTIONS are fetched again once their advertised lifetime is over,
 * and not before).
 */
class IcapExtensionsIT {
    /** What ex206 inserts after the first {@code <html...>} tag of an HTML response. */
    static final String EX206_COMMENT = "<!--A simple comment added by the  ex206 C-ICAP service-->";

    @TempDir
    static Path dir;
    static IcapServers icap;
    static Origins origins;
    static GatewayUnderTest loupe;
    static byte[] small;
    static byte[] large;

    @BeforeAll
    static void start() throws Exception {
        icap = IcapServers.start(dir.resolve("icap"), 1, """
                Service ex206 srv_ex206.so
                ex206.OptionsTTL 2
                """);
        origins = Origins.start(dir.resolve("origins"));
        small = "<!DOCTYPE html>\n<html lang=\"en\"><body>small page</body></html>\n".getBytes(StandardCharsets.US_ASCII);
        large = html(400 * 1024);
        Files.write(origins.www.resolve("small.html"), small);
        Files.write(origins.www.resolve("large.html"), large);
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                icap:
                  services:
                    - name: ex206
                      mode: respmod
                      servers: [%s]
                """.formatted(icap.serviceUri(0, "ex206")));
    }

    /** An HTML page whose body lines each name their own offset: a resumed body that skips or repeats shows. */
    private static byte[] html(int size) {
        StringBuilder page = new StringBuilder("<!DOCTYPE html>\n<html><body>\n");
        while (page.length() < size) {
            page.append("<p>line at offset ").append(page.length()).append("</p>\n");
        }
        return page.append("</body></html>\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins, icap);
    }

    private Curl.Result get(String path, Path headers) throws Exception {
        return Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-D", headers.toString(),
                "--fail", origins.url(Site.GOOD, path));
    }

    /**
     * The client gets ex206's prefix (the original up to the end of the {@code <html>} tag, then the comment)
     * followed by the original body from the offset the 206 named: nothing dropped, nothing repeated.
     */
    private static void assertPartiallyAdapted(byte[] original, byte[] got) {
        String text = new String(got, StandardCharsets.US_ASCII);
        assertThat(text).contains(EX206_COMMENT);
        int tagEnd = new String(original, StandardCharsets.US_ASCII).indexOf('>', "<!DOCTYPE html>\n".length()) + 1;
        byte[] head = Arrays.copyOfRange(original, 0, tagEnd);
        byte[] rest = Arrays.copyOfRange(original, tagEnd, original.length);
        assertThat(Arrays.copyOfRange(got, 0, tagEnd)).as("prefix up to the <html> tag").isEqualTo(head);
        assertThat(Arrays.copyOfRange(got, got.length - rest.length, got.length))
                .as("the original body after the prefix, resumed at use-original-body").isEqualTo(rest);
        String inserted = text.substring(tagEnd, got.length - rest.length);
        assertThat(inserted.strip()).as("only the comment was inserted").isEqualTo(EX206_COMMENT);
    }

    @Test
    void aPartialAnswerToAWholeBodyPreviewIsCompletedFromTheOriginal() throws Exception {
        Path headers = dir.resolve("small.headers");
        Curl.Result r = get("/small.html", headers);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertPartiallyAdapted(small, r.body());
        assertThat(Files.readString(headers)).containsIgnoringCase("X-Ex206-Service: Unmodified");
        assertThat(icap.served(0, "RESPMOD", "ex206")).as(icap.accessLog(0).toString()).isPositive();
        assertThat(icap.accessLog(0)).anyMatch(l -> l.startsWith("RESPMOD ex206 206 "));
    }

    @Test
    void aPartialAnswerAfterThePreviewResumesTheOriginalBodyAtItsOffset() throws Exception {
        Path headers = dir.resolve("large.headers");
        Curl.Result r = get("/large.html", headers);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.body().length).isGreaterThan(large.length);
        assertPartiallyAdapted(large, r.body());
        assertThat(Files.readString(headers)).containsIgnoringCase("X-Ex206-Service: Unmodified");
    }

    @Test
    void optionsAreFetchedAgainOnceTheirTtlRunsOutAndNotBefore() throws Exception {
        // settle: the first exchange on any loop fetches OPTIONS
        assertThat(get("/small.html", dir.resolve("ttl0.headers")).exitCode()).isZero();
        Thread.sleep(2_500);
        long optionsBefore = awaitStable(() -> icap.served(0, "OPTIONS", "ex206"));
        long respmodBefore = icap.served(0, "RESPMOD", "ex206");
        // two exchanges on one connection (one event loop) after the 2 s TTL ran out: the first finds the
        // options stale and fetches them again, the second uses them
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "--fail",
                "-o", "/dev/null", origins.url(Site.GOOD, "/small.html"),
                "-o", "/dev/null", origins.url(Site.GOOD, "/small.html"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        long deadline = System.currentTimeMillis() + 10_000;
        while (icap.served(0, "RESPMOD", "ex206") < respmodBefore + 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(icap.served(0, "RESPMOD", "ex206")).isEqualTo(respmodBefore + 2);
        assertThat(awaitStable(() -> icap.served(0, "OPTIONS", "ex206")))
                .as("one OPTIONS for the stale options, none for the fresh ones").isEqualTo(optionsBefore + 1);
    }

    private interface Count {
        long get() throws Exception;
    }

    /** A count that has not changed for half a second (c-icap writes its access log after each request). */
    private static long awaitStable(Count count) throws Exception {
        long last = count.get();
        for (int i = 0; i < 40; i++) {
            Thread.sleep(500);
            long now = count.get();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }
}
