package dev.loupe.core.intel;

import static dev.loupe.core.intel.IntelFixtures.NOW;
import static dev.loupe.core.intel.IntelFixtures.feed;
import static dev.loupe.core.intel.IntelFixtures.problemLines;
import static dev.loupe.core.intel.IntelFixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StixBundleParserTest {
    @Test
    void takesSingleEqualityIndicatorsAndCountsEverythingElse() {
        ParseResult result = StixBundleParser.parse(feed("bundle.json"), "stix-feed", NOW);
        assertThat(summary(result)).containsExactly(
                "URL evil.example/kit/dl.exe",
                "DOMAIN bad.example",
                "CIDR 198.51.100.0/24",
                "IP 2001:db8:0:0:0:0:0:1");
        assertThat(result.indicators()).extracting(Indicator::risk).containsExactly(85, 50, 20, 50);
        assertThat(result.indicators()).extracting(Indicator::source).containsOnly("stix-feed");
        assertThat(result.indicators().get(1).expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(result.indicators().get(0).lastSeen()).isEqualTo(Instant.parse("2024-06-01T00:00:00Z"));
        assertThat(result.skipped()).isEqualTo(Map.of(
                "revoked", 1, "expired", 1, "compound pattern", 1, "not an indicator", 1));
        assertThat(problemLines(result)).containsExactly(52);
        assertThat(result.problems().getFirst().reason()).contains("indicator--9999", "not-an-address");
    }

    @Test
    void brokenJsonKeepsWhatWasReadAndReportsTheLine() {
        String text = feed("bundle.json");
        String truncated = text.substring(0, text.indexOf("\"type\": \"indicator\"", text.indexOf("indicator--2222")));
        ParseResult result = StixBundleParser.parse(truncated, "s", NOW);
        assertThat(summary(result)).containsExactly("URL evil.example/kit/dl.exe", "DOMAIN bad.example");
        assertThat(result.problems()).hasSize(1);
        assertThat(result.problems().getFirst().reason()).startsWith("invalid JSON");
        assertThat(StixBundleParser.parse("{\"type\":\"report\"}", "s", NOW).problems()).hasSize(1);
        assertThat(StixBundleParser.parse("[]", "s", NOW).problems()).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[url:value = 'http://a.example/it\\'s'] | Comparison[objectPath=url:value, value=http://a.example/it's]",
        "  [ domain-name:value='a.example' ]               | Comparison[objectPath=domain-name:value, value=a.example]",
        "[domain-name:value = 'a' AND domain-name:value = 'b'] | Skip[reason=compound pattern]",
        "([ipv4-addr:value = '1.2.3.4'])                   | Skip[reason=compound pattern]",
        "[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '1.2.3.5'] | Skip[reason=compound pattern]",
        "[domain-name:value = 'x OR y']                    | Comparison[objectPath=domain-name:value, value=x OR y]",
        "[url:value LIKE 'http://%']                       | Skip[reason=unsupported pattern]",
        "[url:value != 'x']                                | Skip[reason=unsupported pattern]",
        "[url:value = 'x'] WITHIN 300 SECONDS              | Skip[reason=unsupported pattern]",
        "[network-traffic:dst_port = 443]                  | Skip[reason=unsupported pattern]",
        "[url:value = 'x                                   | Malformed[reason=pattern has no closing ']']",
        "url:value = 'x'                                   | Malformed[reason=pattern does not start with '[']",
        "[url:value = 'x' y]                               | Malformed[reason=text after the string literal]",
    })
    void patterns(String pattern, String expected) {
        assertThat(StixPattern.parse(pattern).toString()).isEqualTo(expected);
    }
}
