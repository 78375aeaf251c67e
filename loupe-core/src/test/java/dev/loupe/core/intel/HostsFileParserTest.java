package dev.loupe.core.intel;

import static dev.loupe.core.intel.IntelFixtures.NOW;
import static dev.loupe.core.intel.IntelFixtures.feed;
import static dev.loupe.core.intel.IntelFixtures.problemLines;
import static dev.loupe.core.intel.IntelFixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HostsFileParserTest {
    @Test
    void everyNameAfterTheAddressIsAnExactDomainExceptLocalNames() {
        ParseResult result = HostsFileParser.parse(feed("hosts.txt"), "hosts", NOW);
        assertThat(summary(result)).containsExactly(
                "DOMAIN ads.example", "DOMAIN track.example", "DOMAIN metrics.example", "DOMAIN last.example");
        assertThat(result.skipped()).isEqualTo(Map.of("localhost", 5));
        assertThat(problemLines(result)).containsExactly(8, 9, 10);
        assertThat(result.problems().get(0).reason()).contains("expected an address");
        assertThat(result.problems().get(1).reason()).contains("without host names");
    }
}
