package dev.loupe.core.icap;

import static dev.loupe.core.icap.IcapTranscripts.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.icap.Encapsulated.Entry;
import dev.loupe.core.icap.Encapsulated.Section;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every captured c-icap answer, decoded in one piece; bodies are checked against the .txt rendering. */
class IcapResponseTranscriptTest {
    private static final String AV_TAG = "\"CI0001-L5CkDhq+qWNs+PZ5DxxXsAAA\"";
    private static final String URL_TAG = "\"CI0001-XXXXXXXXX\"";

    /** Status of each response in each server stream, in order. */
    private static final Map<String, List<Integer>> STATUSES = Map.ofEntries(
            Map.entry("icap-cicapclient-0", List.of(200)),
            Map.entry("icap-cicapclient-1", List.of(200, 204)),
            Map.entry("icap-cicapclient-2", List.of(200, 200)),
            Map.entry("icap-cicapclient-3", List.of(200, 100, 204)),
            Map.entry("icap-cicapclient-4", List.of(200, 200)),
            Map.entry("icap-cicapclient-5", List.of(200, 200)),
            Map.entry("icap-cicapclient-6", List.of(200, 200)),
            Map.entry("icap-cicapclient-7", List.of(200, 100, 200)),
            Map.entry("icap-squid-3", List.of(200, 204, 204, 204, 204, 204, 204, 200)),
            Map.entry("icap-squid-4", List.of(200, 204, 204, 204, 204, 204, 200)),
            Map.entry("icap-squid-5", List.of(200, 204, 200)));

    static List<String> transcripts() {
        return IcapTranscripts.ALL;
    }

    static List<IcapResponse> decode(String name) throws IcapProtocolException {
        return IcapResponseCollector.decodeAll(IcapTranscripts.serverBytes(name), IcapLimits.DEFAULTS, 1 << 20);
    }

    @ParameterizedTest
    @MethodSource("transcripts")
    void decodesEveryResponseWithItsBody(String name) throws Exception {
        assertThat(IcapTranscripts.serverBytesFromText(name)).as("the .txt renders the .bin")
                .isEqualTo(IcapTranscripts.serverBytes(name));
        List<IcapResponse> responses = decode(name);

        assertThat(responses).extracting(IcapResponse::status).isEqualTo(STATUSES.get(name));
        // latin-1 strings compare arrays by content and print readably
        assertThat(responses.stream().map(IcapResponse::body).filter(body -> body.length > 0)
                .map(IcapTranscripts::ascii).toList())
                .isEqualTo(IcapTranscripts.serverBodiesFromText(name).stream().map(IcapTranscripts::ascii).toList());
        for (IcapResponse response : responses) {
            // c-icap tags every response but the interim 100
            if (response.status() == 100) {
                assertThat(response.head().isTag()).isEmpty();
            } else {
                assertThat(response.head().isTag()).as("ISTag").isPresent().get().isIn(AV_TAG, URL_TAG);
            }
            assertThat(response.trailers()).isEqualTo(IcapHeaders.EMPTY);
            assertThat(response.useOriginalBodyFrom()).isEqualTo(-1);
        }
    }

    @Test
    void optionsResponseWithAllFields() throws Exception {
        IcapResponseHead head = decode("icap-cicapclient-0").getFirst().head();
        assertThat(head.reason()).isEqualTo("OK");
        assertThat(head.encapsulated()).isEqualTo(Encapsulated.NONE);
        assertThat(head.headers().fields()).extracting(IcapHeaders.Field::name).containsExactly("Methods", "Service",
                "ISTag", "Transfer-Preview", "Options-TTL", "Date", "Preview", "Allow", "Encapsulated");

        IcapOptions options = IcapOptions.from(head);
        assertThat(options.methods()).containsExactly("RESPMOD", "REQMOD");
        assertThat(options.isTag()).isEqualTo(AV_TAG);
        assertThat(options.preview()).isEqualTo(1024);
        assertThat(options.allow204()).isTrue();
        assertThat(options.allow206()).isFalse();
        assertThat(options.optionsTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(options.transferPreview()).containsExactly("*");
        assertThat(options.service()).isEqualTo("C-ICAP/0.5.10 server - Antivirus service");
        assertThat(options.maxConnections()).isNull();

        IcapOptions urlCheck = IcapOptions.from(decode("icap-squid-3").getFirst().head());
        assertThat(urlCheck.methods()).containsExactly("REQMOD");
        assertThat(urlCheck.preview()).isZero();
        assertThat(urlCheck.allow206()).isTrue();
        assertThat(urlCheck.isTag()).isEqualTo(URL_TAG);
    }

    @Test
    void virusFoundPageWithFoldedViolationsHeader() throws Exception {
        IcapResponse response = decode("icap-cicapclient-2").get(1);
        IcapResponseHead head = response.head();

        assertThat(head.headers().first("X-Infection-Found"))
                .contains("Type=0; Resolution=2; Threat=Local.Test.EICAR-NDB.UNOFFICIAL;");
        assertThat(head.headers().first("x-violations-found"))
                .contains("1 - Local.Test.EICAR-NDB.UNOFFICIAL 0 0");
        assertThat(head.encapsulated().entries())
                .containsExactly(new Entry(Section.RES_HDR, 0), new Entry(Section.RES_BODY, 161));
        assertThat(head.httpRequestHead()).isNull();
        HttpHead page = head.httpResponseHead();
        assertThat(page.startLine()).isEqualTo("HTTP/1.0 403 Forbidden");
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.headers().first("Content-Type")).contains("text/html");
        assertThat(page.headers().first("Via")).contains("ICAP/1.0 vm (C-ICAP/0.5.10 Antivirus service )");
        assertThat(page.bytes()).hasSize(161).endsWith(ascii("\r\n\r\n"));
        assertThat(response.body()).hasSize(0x1c9).startsWith(ascii("<html>")).endsWith(ascii("</html>\n\0\0"));
        assertThat(ascii(response.body())).contains("<b>  http://origin.test/eicar.com </b>");
    }

    @Test
    void urlCheckBlockCarriesResponseInfoAndDenyPage() throws Exception {
        IcapResponse blocked = decode("icap-cicapclient-5").get(1);
        assertThat(blocked.head().headers().first("X-Response-Info")).contains("BLOCKED");
        assertThat(blocked.head().headers().first("X-Attribute")).contains("blockhosts");
        assertThat(blocked.head().httpResponseHead().statusCode()).isEqualTo(403);
        assertThat(blocked.body()).hasSize(0x2aa);
        assertThat(ascii(blocked.body())).startsWith("<H1> Access denied </H1>")
                .contains("http://blocked.test/some/path");
    }

    @Test
    void echoedResponseAndContinueSequences() throws Exception {
        IcapResponse echoed = decode("icap-cicapclient-4").get(1);
        assertThat(echoed.head().httpResponseHead().headers().first("Content-Length")).contains("18");
        assertThat(echoed.body()).isEqualTo(ascii("hello clean world\n"));

        List<IcapResponse> trickled = decode("icap-cicapclient-3");
        assertThat(trickled.get(1).head().reason()).isEqualTo("Continue");
        assertThat(trickled.get(1).head().headers()).isEqualTo(IcapHeaders.EMPTY);
        assertThat(trickled.get(2).head().reason()).isEqualTo("Unmodified");
        assertThat(trickled.get(2).head().headers().first("Connection")).contains("keep-alive");
    }

    @Test
    void reqmodBlockOfAnUpload() throws Exception {
        IcapResponse upload = decode("icap-squid-4").getLast();
        assertThat(upload.head().headers().first("X-Violations-Found"))
                .contains("1 - Local.Test.EICAR-NDB.UNOFFICIAL 0 0");
        assertThat(upload.head().httpResponseHead().startLine()).isEqualTo("HTTP/1.0 403 Forbidden");
        assertThat(ascii(upload.body())).contains("https://upstream.test:28443/upload");
    }
}
