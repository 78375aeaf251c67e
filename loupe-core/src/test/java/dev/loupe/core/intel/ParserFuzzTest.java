package dev.loupe.core.intel;

import static dev.loupe.core.intel.IntelFixtures.NOW;
import static dev.loupe.core.intel.IntelFixtures.feed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;

import java.net.InetAddress;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Deterministic mutation fuzzing of every feed parser: whatever a feed contains, parsing returns a result
 * (problems and skips included) and never throws, so one broken feed cannot stop a reload.
 */
class ParserFuzzTest {
    private static final int ITERATIONS = 2500;
    /** The envelope and lookup checks are secondary; fewer rounds keep the whole class within 3 s. */
    private static final int SECONDARY_ITERATIONS = 1000;
    /** Characters that matter to at least one of the formats. */
    private static final String SPECIAL = "\"',;:/.*#@[](){}\\%?=\n\r\t 0123456789-_zZ$é\u0000\uFEFF";

    interface Parser {
        ParseResult parse(String text, String source, java.time.Instant now);
    }

    static Stream<Arguments> parsers() {
        return Stream.of(
                Arguments.of("plain", (Parser) PlainListParser::parse, feed("plain.txt")),
                Arguments.of("csv", (Parser) CsvIndicatorParser::parse, feed("feed.csv")),
                Arguments.of("hosts", (Parser) HostsFileParser::parse, feed("hosts.txt")),
                Arguments.of("rpz", (Parser) RpzZoneParser::parse, feed("policy.rpz")),
                Arguments.of("stix", (Parser) StixBundleParser::parse, feed("bundle.json")),
                Arguments.of("stix1", (Parser) Stix1Parser::parse, feed("stix1-package.xml")),
                Arguments.of("urlhaus", (Parser) AbuseChParser::urlhaus, feed("urlhaus.csv")),
                Arguments.of("threatfox", (Parser) AbuseChParser::threatFox, feed("threatfox.csv")),
                Arguments.of("misp", (Parser) (text, source, now) -> MispFeed.event(text, source, now,
                        MispFeed.Filter.ALL), feed("misp/5f2a9c3e-1b4d-4e6f-8a7b-9c0d1e2f3a4b.json")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parsers")
    @Timeout(10)
    void mutatedFeedsNeverThrow(String name, Parser parser, String seed) {
        SplittableRandom random = new SplittableRandom(name.hashCode());
        int lines = (int) seed.lines().count();
        for (int i = 0; i < ITERATIONS; i++) {
            String input = mutate(seed, random);
            ParseResult result = parser.parse(input, name, NOW);
            // plain checks: AssertJ per iteration would cost more than the parsing
            long lastLine = input.lines().count() + 1;
            for (ParseProblem problem : result.problems()) {
                if (problem.line() < 0 || problem.line() > lastLine) {
                    fail("problem outside the input (" + lastLine + " lines): " + problem);
                }
            }
        }
        assertThat(parser.parse(seed, name, NOW).indicators()).as("seed still parses").isNotEmpty();
        assertThat(lines).isPositive();
    }

    @Test
    @Timeout(10)
    void mutatedTaxiiPagesEitherParseOrAreRefusedCleanly() {
        String seed = feed("taxii-page.json");
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < SECONDARY_ITERATIONS; i++) {
            String input = mutate(seed, random);
            TaxiiPage page;
            try {
                page = TaxiiEnvelope.parse(input);
            } catch (IllegalArgumentException refused) {
                continue;
            }
            assertThatCode(() -> StixBundleParser.parseObjects(page.objects(), "taxii", NOW))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    @Timeout(10)
    void lookupsWithClientControlledTextNeverThrow() throws Exception {
        IndicatorStore store = IndicatorStore.build(
                PlainListParser.parse(feed("plain.txt"), "plain", NOW).indicators(), NOW);
        SplittableRandom random = new SplittableRandom(11);
        List<String> hosts = List.of("evil.example", "www.wild.example", "[::1]", "192.0.2.1", "", ".", "..");
        for (int i = 0; i < SECONDARY_ITERATIONS; i++) {
            String host = mutate(hosts.get(random.nextInt(hosts.size())), random);
            String path = mutate("/kit/a/../b?x=%41#f", random);
            store.matchHost(host, NOW);
            store.matchUrl("https", host, random.nextInt(-1, 70000), path, NOW);
        }
        assertThat(store.matchAddress(InetAddress.getByName("192.0.2.1"), NOW)).isPresent();
    }

    /** One to four edits: replace, insert, delete or duplicate a span, or truncate. */
    static String mutate(String seed, SplittableRandom random) {
        StringBuilder text = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = text.isEmpty() ? 0 : random.nextInt(text.length());
            int span = Math.min(text.length() - at, 1 + random.nextInt(8));
            switch (random.nextInt(6)) {
                case 0 -> text.insert(at, SPECIAL.charAt(random.nextInt(SPECIAL.length())));
                case 1 -> {
                    if (!text.isEmpty()) {
                        text.setCharAt(at, SPECIAL.charAt(random.nextInt(SPECIAL.length())));
                    }
                }
                case 2 -> text.delete(at, at + span);
                case 3 -> text.insert(at, text.substring(at, at + span));
                case 4 -> text.setLength(at);
                default -> text.insert(at, (char) random.nextInt(0x20, 0x250));
            }
        }
        return text.toString();
    }
}
