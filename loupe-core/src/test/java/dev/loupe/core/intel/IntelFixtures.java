package dev.loupe.core.intel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** Test feeds under src/test/resources/intel and helpers to look at parse results. */
final class IntelFixtures {
    static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    private IntelFixtures() {
    }

    static String feed(String name) {
        try (InputStream in = IntelFixtures.class.getResourceAsStream("/intel/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /intel/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "TYPE value" (with a leading "*." for subdomains), compact for assertions. */
    static List<String> summary(ParseResult result) {
        return result.indicators().stream()
                .map(i -> i.type() + " " + (i.includeSubdomains() ? "*." : "") + i.value())
                .toList();
    }

    static List<Integer> problemLines(ParseResult result) {
        return result.problems().stream().map(ParseProblem::line).toList();
    }
}
