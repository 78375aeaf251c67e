package dev.loupe.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.loupe.core.policy.CategoryList.ParseProblem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CategoryListTest {
    static final String VALID = """
            # Test list
            bank.example            finance
            news.bank.example       media        # a subdomain with its own entry

            Clinic.Example.         health,finance
            *.gov.example           government
            a.b.c.deep.example      deep
            c.deep.example          shallow
            """;

    private final CategoryList list = CategoryList.parse(VALID, "test.txt");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "bank.example                | finance",
        "www.bank.example            | finance",
        "WWW.BANK.EXAMPLE.           | finance",
        "news.bank.example           | media",
        "www.news.bank.example       | media",
        "evilbank.example            | ''",
        "bank.example.evil.example   | ''",
        "clinic.example              | finance,health",
        "gov.example                 | government",
        "x.y.gov.example             | government",
        "a.b.c.deep.example          | deep",
        "b.c.deep.example            | shallow",
        "z.a.b.c.deep.example        | deep",
        "deep.example                | ''",
        "example                     | ''",
        "198.51.100.1                | ''",
    })
    void mostSpecificEntryWins(String host, String expected) {
        Set<String> wanted = expected.isEmpty() ? Set.of() : Set.of(expected.split(","));

        assertThat(list.categoriesOf(host)).isEqualTo(wanted);
    }

    @Test
    void validFileHasNoProblems() {
        assertThat(list.problems()).isEmpty();
        assertThat(list.size()).isEqualTo(6);
        assertThat(list.categoriesOf(null)).isEmpty();
        assertThat(CategoryList.empty().categoriesOf("bank.example")).isEmpty();
    }

    @Test
    void malformedLinesAreReportedWithLineNumbersAndSkipped() {
        CategoryList parsed = CategoryList.parse("""
                bank.example finance
                nocategory.example
                bad..example finance
                under_score.example finance
                space.example fin ance
                comma.example finance,
                198.51.100.1 finance
                b\u00fccher.example books
                ok.example health # fine
                *. finance
                bad/slash.example finance
                """, "list.txt");

        assertThat(parsed.problems()).extracting(ParseProblem::line).containsExactly(2, 3, 5, 6, 7, 8, 10, 11);
        assertThat(parsed.problems()).allSatisfy(p -> assertThat(p.source()).isEqualTo("list.txt"));
        assertThat(parsed.problems().get(0).reason()).contains("nocategory.example").contains("no categories");
        assertThat(parsed.problems().get(1).reason()).contains("empty label");
        assertThat(parsed.problems().get(2).reason()).contains("'fin ance'");
        assertThat(parsed.problems().get(4).reason()).contains("IP address");
        assertThat(parsed.problems().get(5).reason()).contains("not ASCII");
        assertThat(parsed.categoriesOf("bank.example")).containsExactly("finance");
        assertThat(parsed.categoriesOf("under_score.example")).containsExactly("finance");
        assertThat(parsed.categoriesOf("ok.example")).containsExactly("health");
        assertThat(parsed.categoriesOf("comma.example")).isEmpty();
    }

    @Test
    void duplicateDomainsAndCombinedListsGetTheUnion() {
        CategoryList one = CategoryList.parse("bank.example finance\nbank.example payments\n", "one");
        CategoryList two = CategoryList.parse("bank.example\nbank.example lending\nclinic.example health\n", "two");

        CategoryList both = CategoryList.combine(List.of(one, two));

        assertThat(one.categoriesOf("bank.example")).containsExactlyInAnyOrder("finance", "payments");
        assertThat(both.categoriesOf("www.bank.example")).containsExactlyInAnyOrder("finance", "payments", "lending");
        assertThat(both.categoriesOf("clinic.example")).containsExactly("health");
        assertThat(both.problems()).containsExactly(new ParseProblem("two", 1,
                "domain 'bank.example' has no categories (expected: domain category[,category...])"));
    }

    @Test
    void problemsAreCappedWithASummary() {
        String garbage = "???\n".repeat(CategoryList.MAX_PROBLEMS + 50);

        List<ParseProblem> problems = CategoryList.parse(garbage, "junk").problems();

        assertThat(problems).hasSize(CategoryList.MAX_PROBLEMS + 1);
        assertThat(problems.getLast()).isEqualTo(new ParseProblem("junk", CategoryList.MAX_PROBLEMS + 1,
                "50 more malformed lines from here on were skipped without being listed"));
    }

    @Test
    void shippedExampleParsesCleanly() throws Exception {
        CategoryList example = CategoryList.load(Path.of("..", "config", "categories.example.txt"));

        assertThat(example.problems()).isEmpty();
        assertThat(example.categoriesOf("www.bank.example")).contains("finance");
        assertThat(example.categoriesOf("portal.health.example")).contains("health");
        assertThat(example.categoriesOf("tax.gov.example")).contains("government");
    }

    /** The hashing lookup must agree with the obvious one: try the host, then each parent domain. */
    @Test
    void lookupAgreesWithNaiveParentWalk() {
        Random random = new Random(7);
        String[] labels = {"a", "b", "bank", "x-y", "q_1", "example", "Aa", "BB"};
        Map<String, Set<String>> reference = new HashMap<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            String domain = randomName(random, labels);
            text.append(domain).append(" c").append(i).append('\n');
            reference.computeIfAbsent(domain.toLowerCase(), d -> new java.util.HashSet<>()).add("c" + i);
        }
        CategoryList parsed = CategoryList.parse(text.toString(), "random");
        for (int i = 0; i < 5000; i++) {
            String host = randomName(random, labels);
            assertThat(parsed.categoriesOf(host)).as(host).isEqualTo(naive(reference, host.toLowerCase()));
        }
    }

    private static String randomName(Random random, String[] labels) {
        int count = 1 + random.nextInt(4);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            parts.add(labels[random.nextInt(labels.length)]);
        }
        return String.join(".", parts);
    }

    private static Set<String> naive(Map<String, Set<String>> reference, String host) {
        for (String h = host; ; h = h.substring(h.indexOf('.') + 1)) {
            if (reference.containsKey(h)) {
                return reference.get(h);
            }
            if (!h.contains(".")) {
                return Set.of();
            }
        }
    }

    @Test
    void fuzzedFilesNeverThrowAndReportLinesInRange() {
        Random random = new Random(20240601);
        String alphabet = "abz09.-_*#, \t\r\n\u00e9\u212a\u0000/~";
        for (int iteration = 0; iteration < 5000; iteration++) {
            String text = mutate(VALID, random, alphabet);
            long lineCount = text.lines().count();

            assertThatCode(() -> {
                CategoryList parsed = CategoryList.parse(text, "fuzz");
                assertThat(parsed.problems()).allSatisfy(p -> assertThat(p.line()).isBetween(1, (int) lineCount));
                parsed.categoriesOf(text.substring(0, Math.min(text.length(), 40)));
                parsed.categoriesOf("www.bank.example");
            }).as("iteration %d: %s", iteration, text).doesNotThrowAnyException();
        }
    }

    private static String mutate(String text, Random random, String alphabet) {
        StringBuilder sb = new StringBuilder(text);
        int edits = 1 + random.nextInt(8);
        for (int i = 0; i < edits && !sb.isEmpty(); i++) {
            int at = random.nextInt(sb.length());
            switch (random.nextInt(4)) {
                case 0 -> sb.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                case 1 -> sb.deleteCharAt(at);
                case 2 -> sb.setCharAt(at, (char) random.nextInt(0x3000));
                default -> sb.insert(at, sb.substring(at, Math.min(sb.length(), at + random.nextInt(30))));
            }
        }
        return sb.toString();
    }
}
