package dev.loupe.core.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Domain → categories (finance, health, ...), for rules such as "bypass finance and health".
 *
 * <p>Text format, one entry per line: {@code domain category[,category...]}; {@code #} starts a comment
 * (whole line or trailing); blank lines are ignored. An entry covers the domain and all its
 * subdomains, and the most specific entry wins: with {@code bank.example finance} and
 * {@code news.bank.example media}, {@code www.news.bank.example} is {@code media} only. A leading
 * {@code *.} on a domain is accepted and means the same. A domain listed twice gets the union.
 *
 * <p>Lists come from third parties and are often dirty, so a malformed line is reported as a
 * {@link ParseProblem} with its line number and skipped; parsing never fails. Immutable and
 * thread-safe.
 */
public final class CategoryList {
    /** After this many, the rest are summarised in one entry: a binary file must not flood the log. */
    static final int MAX_PROBLEMS = 1000;
    private static final int MAX_CATEGORY_LENGTH = 63;
    private static final CategoryList EMPTY = new CategoryList(new DomainTable(Map.of()), List.of());

    /** A skipped line; {@code line} counts from 1. */
    public record ParseProblem(String source, int line, String reason) {
    }

    private final DomainTable table;
    private final List<ParseProblem> problems;

    private CategoryList(DomainTable table, List<ParseProblem> problems) {
        this.table = table;
        this.problems = List.copyOf(problems);
    }

    public static CategoryList empty() {
        return EMPTY;
    }

    /** Parses {@code text}; {@code sourceName} (usually the file name) labels the problems. */
    public static CategoryList parse(String text, String sourceName) {
        Map<String, Set<String>> entries = new HashMap<>();
        List<ParseProblem> problems = new ArrayList<>();
        int omitted = 0;
        int firstOmittedLine = 0;
        int lineNumber = 0;
        for (Iterator<String> lines = text.lines().iterator(); lines.hasNext(); ) {
            lineNumber++;
            String problem = parseLine(lines.next(), entries);
            if (problem == null) {
                continue;
            }
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(new ParseProblem(sourceName, lineNumber, problem));
            } else {
                firstOmittedLine = omitted == 0 ? lineNumber : firstOmittedLine;
                omitted++;
            }
        }
        if (omitted > 0) {
            problems.add(new ParseProblem(sourceName, firstOmittedLine,
                    omitted + " more malformed lines from here on were skipped without being listed"));
        }
        return new CategoryList(new DomainTable(entries), problems);
    }

    /** Reads a UTF-8 file; undecodable bytes become U+FFFD and are reported like any malformed line. */
    public static CategoryList load(Path file) throws IOException {
        return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8), file.toString());
    }

    /** All entries of {@code lists} (same domain in several: union) and all their problems. */
    public static CategoryList combine(List<CategoryList> lists) {
        Map<String, Set<String>> entries = new HashMap<>();
        List<ParseProblem> problems = new ArrayList<>();
        for (CategoryList list : lists) {
            list.table.forEach((domain, categories) -> merge(entries, domain, categories));
            problems.addAll(list.problems);
        }
        return new CategoryList(new DomainTable(entries), problems);
    }

    /** The categories of the most specific entry covering {@code host}; empty when none does. */
    public Set<String> categoriesOf(String host) {
        if (host == null) {
            return Set.of();
        }
        Set<String> found = table.lookup(host);
        return found != null ? found : Set.of();
    }

    public List<ParseProblem> problems() {
        return problems;
    }

    /** Number of domain entries. */
    public int size() {
        return table.size();
    }

    /** Lower-case letters, digits, '-' and '_': the same spelling rules use. */
    static boolean isCategoryName(String name) {
        if (name.isEmpty() || name.length() > MAX_CATEGORY_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!DomainNames.isNameChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Adds the entry on {@code line} to {@code entries}; returns why it was skipped, or null. */
    private static String parseLine(String line, Map<String, Set<String>> entries) {
        int comment = line.indexOf('#');
        String content = (comment >= 0 ? line.substring(0, comment) : line).strip();
        if (content.isEmpty()) {
            return null;
        }
        int split = 0;
        while (split < content.length() && !Character.isWhitespace(content.charAt(split))) {
            split++;
        }
        String written = content.substring(0, split);
        String domain = domainOf(written);
        String problem = domainProblem(written, domain);
        if (problem != null) {
            return problem;
        }
        if (split == content.length()) {
            return "domain '" + written + "' has no categories (expected: domain category[,category...])";
        }
        Set<String> categories = new HashSet<>();
        for (String part : content.substring(split).split(",", -1)) {
            String category = part.strip().toLowerCase(Locale.ROOT);
            if (!isCategoryName(category)) {
                return "category '" + part.strip() + "' for '" + written
                        + "' is not a name (letters, digits, '-', '_'; separate categories with commas)";
            }
            categories.add(category);
        }
        merge(entries, domain, categories);
        return null;
    }

    private static String domainOf(String written) {
        String d = written.toLowerCase(Locale.ROOT);
        d = d.startsWith("*.") ? d.substring(2) : d;
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    private static String domainProblem(String written, String domain) {
        if (!written.chars().allMatch(c -> c < 0x80)) {
            return "domain '" + written + "' is not ASCII (write internationalised names as xn--...)";
        }
        String problem = DomainNames.problem(domain);
        if (problem != null) {
            return "domain '" + written + "' " + problem;
        }
        if (DomainNames.hasNumericTopLabel(domain)) {
            return "'" + written + "' is an IP address, not a domain (use a rule's destinations for addresses)";
        }
        return null;
    }

    private static void merge(Map<String, Set<String>> entries, String domain, Set<String> categories) {
        entries.computeIfAbsent(domain, d -> new HashSet<>()).addAll(categories);
    }
}
