package dev.loupe.core.policy;

import dev.loupe.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The JA3 / JA4 values a rule may name, checked for shape so that a typo never silently matches nothing. */
final class Fingerprints {
    enum Kind {
        JA3(Pattern.compile("[0-9a-f]{32}"), "32 hex digits (the MD5 of the JA3 string)"),
        JA4(Pattern.compile("[tqd](13|12|11|10|s3|s2|d1|d2|d3|00)[di][0-9]{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}"),
                "a JA4 such as t13d1516h2_8daaf6152771_e5627efa2ab1");

        private final Pattern shape;
        private final String described;

        Kind(Pattern shape, String described) {
            this.shape = shape;
            this.described = described;
        }
    }

    private Fingerprints() {
    }

    static String check(String field, String value, Kind kind, String rule) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (!kind.shape.matcher(v).matches()) {
            throw new ConfigException(field, value, "rule '" + rule + "': expected " + kind.described
                    + " or file:PATH");
        }
        return v;
    }

    static List<String> readFile(String field, Path file, Kind kind, String rule) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new ConfigException(field, "file:" + file, "rule '" + rule + "': cannot read: " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            int hash = line.indexOf('#');
            String entry = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (!entry.isEmpty()) {
                out.add(check(field + " (" + file + " line " + (n + 1) + ")", entry, kind, rule));
            }
        }
        if (out.isEmpty()) {
            throw new ConfigException(field, "file:" + file, "rule '" + rule + "': the file lists no fingerprint");
        }
        return out;
    }
}
