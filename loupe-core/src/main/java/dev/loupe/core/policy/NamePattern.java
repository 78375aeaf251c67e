package dev.loupe.core.policy;

import dev.loupe.core.config.ConfigException;
import dev.loupe.core.net.IpLiterals;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One host or certificate-name pattern, compiled once at configuration time.
 *
 * <ul>
 *   <li>{@code www.bank.example}: exactly this name (case-insensitive).</li>
 *   <li>{@code *.bank.example}: the domain {@code bank.example} itself <em>and</em> every name below it.
 *       The apex is included because operators who write "everything at the bank" mean the bank's own
 *       site too; a rule for subdomains only can use a regex.</li>
 *   <li>{@code ~regex}: a Java regex that must match the <em>whole</em> text, case-insensitively.
 *       Whole-text matching means {@code ~bank\.example} cannot silently match
 *       {@code bank.example.attacker.example}; write {@code .*} where partial matches are wanted.</li>
 * </ul>
 * Exact and suffix patterns are plain string comparisons: no regex and no allocation per match.
 */
sealed interface NamePattern permits NamePattern.Exact, NamePattern.Suffix, NamePattern.Regex {

    /** Host names and SANs are checked as DNS names; distinguished names are free text. */
    enum Syntax { HOST, TEXT }

    boolean matches(String text);

    /** The pattern as the operator wrote it, for verdict reasons. */
    String source();

    /** The compiled pattern; a refusal names {@code field}, the rule and what is wrong. */
    static NamePattern parse(String field, String value, String rule, Syntax syntax) {
        if (value == null || value.isBlank()) {
            throw refused(field, value, rule, "must not be empty");
        }
        if (value.startsWith("~")) {
            return regex(field, value, rule);
        }
        String text = value.strip().toLowerCase(Locale.ROOT);
        boolean suffix = text.startsWith("*.");
        String name = suffix ? text.substring(2) : text;
        String problem = null;
        if (suffix && name.isEmpty()) {
            problem = "has nothing after '*.'";
        } else if (syntax == Syntax.HOST) {
            problem = hostProblem(name, suffix);
        }
        if (problem != null) {
            throw refused(field, value, rule, problem);
        }
        return suffix ? new Suffix(name, "." + name, value) : new Exact(name, value);
    }

    private static NamePattern regex(String field, String value, String rule) {
        if (value.length() == 1) {
            throw refused(field, value, rule, "has an empty regular expression after '~'");
        }
        try {
            return new Regex(Pattern.compile(value.substring(1), Pattern.CASE_INSENSITIVE), value);
        } catch (PatternSyntaxException e) {
            throw refused(field, value, rule, "is not a valid regular expression: " + e.getDescription()
                    + " near index " + e.getIndex());
        }
    }

    private static ConfigException refused(String field, String value, String rule, String problem) {
        return new ConfigException(field, value, "rule '" + rule + "': pattern " + problem);
    }

    private static String hostProblem(String name, boolean suffix) {
        if (!suffix && IpLiterals.isLiteral(name)) {
            return null;
        }
        if (name.contains("*")) {
            return "may use '*' only as a leading '*.' (or use a ~regex)";
        }
        return DomainNames.problem(name);
    }

    record Exact(String name, String source) implements NamePattern {
        @Override
        public boolean matches(String text) {
            return name.equalsIgnoreCase(text);
        }
    }

    /** {@code apex} is the domain itself, {@code dotSuffix} the same with a leading dot. */
    record Suffix(String apex, String dotSuffix, String source) implements NamePattern {
        @Override
        public boolean matches(String text) {
            int len = text.length();
            int suffixLen = dotSuffix.length();
            return apex.equalsIgnoreCase(text)
                    || (len > suffixLen && text.regionMatches(true, len - suffixLen, dotSuffix, 0, suffixLen));
        }
    }

    record Regex(Pattern pattern, String source) implements NamePattern {
        @Override
        public boolean matches(String text) {
            return pattern.matcher(text).matches();
        }
    }
}
