package dev.loupe.core.policy;

import static dev.loupe.core.policy.TestFacts.facts;
import static dev.loupe.core.policy.TestRules.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.core.config.ConfigException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DecryptPolicyTest {
    static final CategoryList CATEGORIES = CategoryList.parse("""
            bank.example        finance
            news.bank.example   media
            clinic.example      health
            """, "test");

    static Stream<Arguments> hostConditions() {
        return Stream.of(
                row("hosts: [www.bank.example]", facts().sni("www.bank.example"), true),
                row("hosts: [www.bank.example]", facts().sni("WWW.Bank.Example."), true),
                row("hosts: [www.bank.example]", facts().sni("bank.example"), false),
                row("hosts: [www.bank.example]", facts().sni("www.bank.example.evil.example"), false),
                row("hosts: ['*.bank.example']", facts().sni("bank.example"), true),
                row("hosts: ['*.bank.example']", facts().sni("a.b.bank.example"), true),
                row("hosts: ['*.bank.example']", facts().sni("evilbank.example"), false),
                row("hosts: ['*.bank.example']", facts().sni("bank.example.evil.example"), false),
                row("hosts: ['~^.*\\.bank\\.example$']", facts().sni("www.bank.example"), true),
                row("hosts: ['~^.*\\.bank\\.example$']", facts().sni("bank.example"), false),
                row("hosts: ['~bank\\.example']", facts().sni("bank.example.evil.example"), false),
                row("hosts: ['~WWW\\..*']", facts().sni("www.bank.example"), true),
                row("hosts: [www.bank.example]", facts().connect("www.bank.example"), true),
                row("hosts: [www.bank.example]", facts().sni("other.example").connect("www.bank.example"), false),
                row("hosts: [www.bank.example]", facts().sni("www.bank.example").connect("other.example"), true),
                row("hosts: ['~.*']", facts().destination("198.51.100.1"), false),
                row("hosts: [198.51.100.1]", facts().connect("198.51.100.1"), true),
                row("hosts: ['2001:db8::1']", facts().connect("[2001:DB8::1]"), true));
    }

    static Stream<Arguments> otherConditions() {
        return Stream.of(
                row("clients: [10.0.0.0/8]", facts().client("10.1.2.3"), true),
                row("clients: [10.0.0.0/8]", facts().client("11.1.2.3"), false),
                row("clients: [10.0.0.0/8]", facts().client("::ffff:10.1.2.3"), true),
                row("clients: ['2001:db8::/32']", facts().client("2001:db8::7"), true),
                row("destinations: [198.51.100.0/24]", facts().destination("198.51.100.7"), true),
                row("destinations: [198.51.100.0/24]", facts().destination("203.0.113.7"), false),
                row("destinations: [0.0.0.0/0]", facts(), false),
                row("ports: [443, 8443]", facts().port(8443), true),
                row("ports: [443, 8443]", facts().port(80), false),
                row("alpn: [h2]", facts().alpn("http/1.1", "h2"), true),
                row("alpn: [h2]", facts().alpn("http/1.1"), false),
                row("alpn: [h2]", facts(), false),
                row("alpn: [h2]", facts().alpn("H2"), false),
                row("listeners: [transparent]", facts().listener("transparent"), true),
                row("listeners: [transparent]", facts().listener("explicit"), false),
                row("listeners: [transparent]", facts(), false),
                row("categories: [finance]", facts().sni("www.bank.example"), true),
                row("categories: [finance]", facts().sni("www.news.bank.example"), false),
                row("categories: [FINANCE, health]", facts().sni("clinic.example"), true),
                row("categories: [finance]", facts().connect("bank.example"), true),
                row("categories: [finance]", facts(), false),
                row("hosts: [a.example, b.example]", facts().sni("b.example"), true),
                row("hosts: ['*.bank.example'], ports: [443]", facts().sni("www.bank.example").port(443), true),
                row("hosts: ['*.bank.example'], ports: [443]", facts().sni("www.bank.example").port(80), false),
                row("hosts: ['*.bank.example'], clients: [10.0.0.0/8]", facts().sni("www.bank.example"), false),
                row("{}", facts(), true));
    }

    private static Arguments row(String conditions, TestFacts facts, boolean matches) {
        return Arguments.of(conditions, facts, matches);
    }

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @MethodSource({"hostConditions", "otherConditions"})
    void conditionTable(String conditions, TestFacts facts, boolean matches) {
        String body = conditions.equals("{}") ? "" : conditions + ", ";
        DecryptPolicy policy = new DecryptPolicy(List.of(rule("{name: r, " + body + "action: bypass}")),
                Action.DECRYPT, CATEGORIES);

        Verdict verdict = decided(policy.decide(facts.build()));

        assertThat(verdict.rule()).isEqualTo(matches ? "r" : "default");
        assertThat(verdict.action()).isEqualTo(matches ? Action.BYPASS : Action.DECRYPT);
    }

    @Test
    void firstMatchWinsAndTheReasonNamesWhatMatched() {
        DecryptPolicy policy = new DecryptPolicy(List.of(
                rule("{name: health, categories: [health], action: bypass}"),
                rule("{name: banks, hosts: ['*.bank.example'], categories: [finance], action: bypass}"),
                rule("{name: everything-else-on-443, ports: [443], action: block}")), Action.DECRYPT, CATEGORIES);

        Verdict bank = decided(policy.decide(facts().sni("www.bank.example").build()));
        Verdict other = decided(policy.decide(facts().sni("shop.example").build()));

        assertThat(bank).isEqualTo(new Verdict.Bypass("banks",
                "host www.bank.example matched *.bank.example; category finance"));
        assertThat(other).isEqualTo(new Verdict.Block("everything-else-on-443", "port 443"));
    }

    @Test
    void reasonsNameAddressesNetworksAndProtocols() {
        PolicyRule lab = rule("{name: lab, clients: [10.0.0.0/8], destinations: [198.51.100.0/24],"
                + " alpn: [h2, http/1.1], listeners: [transparent], action: decrypt}");
        DecryptPolicy policy = new DecryptPolicy(List.of(lab), Action.BLOCK, CategoryList.empty());

        Verdict v = decided(policy.decide(facts().client("10.9.8.7").destination("198.51.100.4")
                .alpn("h2").listener("transparent").build()));

        assertThat(v.reason()).isEqualTo("client 10.9.8.7 in 10.0.0.0/8; destination 198.51.100.4 in 198.51.100.0/24;"
                + " ALPN h2 offered; listener transparent");
    }

    @Test
    void defaultAppliesWhenNothingMatches() {
        DecryptPolicy policy = new DecryptPolicy(List.of(rule("{name: r, ports: [8443], action: bypass}")),
                Action.BLOCK, null);

        assertThat(decided(policy.decide(facts().build())))
                .isEqualTo(new Verdict.Block("default", "no rule matched; default action is block"));
        assertThat(new DecryptPolicy(List.of(), Action.DECRYPT, null).decide(facts().build()))
                .isEqualTo(new PolicyDecision.Decided(new Verdict.Decrypt("default",
                        "no rule matched; default action is decrypt")));
    }

    @Test
    void certificateRuleAsksForTheCertificateThenDecides() {
        DecryptPolicy policy = new DecryptPolicy(List.of(
                rule("{name: bank-ca, hosts: ['*.bank.example'], cert-issuers: ['Bank Issuing CA'], action: bypass}"),
                rule("{name: banks-block, hosts: ['*.bank.example'], action: block}")), Action.DECRYPT, null);
        ConnectionFacts hello = facts().sni("www.bank.example").build();

        assertThat(policy.mayNeedCertificate()).isTrue();
        assertThat(policy.decide(hello)).isEqualTo(new PolicyDecision.NeedsCertificate("bank-ca"));
        Verdict issued = decided(policy.decide(hello.withCertificate(new CertificateFacts(
                "CN=www.bank.example", "CN=Bank Issuing CA,O=Bank,C=US", List.of("DNS:www.bank.example")))));
        Verdict other = decided(policy.decide(hello.withCertificate(new CertificateFacts(
                "CN=www.bank.example", "CN=Someone Else,O=Other", List.of()))));

        assertThat(issued).isEqualTo(new Verdict.Bypass("bank-ca", "host www.bank.example matched *.bank.example;"
                + " certificate issuer CN=Bank Issuing CA,O=Bank,C=US matched Bank Issuing CA"));
        assertThat(other.rule()).isEqualTo("banks-block"); // a failing certificate rule falls through
    }

    @Test
    void certificateIsNotRequestedWhenAnEarlierRuleOrTheConnectionConditionsDecide() {
        DecryptPolicy policy = new DecryptPolicy(List.of(
                rule("{name: health, hosts: ['*.clinic.example'], action: bypass}"),
                rule("{name: pinned, hosts: ['*.app.example'], cert-sans: ['*.app.example'], action: bypass}")),
                Action.DECRYPT, null);

        assertThat(policy.decide(facts().sni("clinic.example").build()))
                .isEqualTo(new PolicyDecision.Decided(new Verdict.Bypass("health",
                        "host clinic.example matched *.clinic.example")));
        assertThat(decided(policy.decide(facts().sni("shop.example").build())).rule()).isEqualTo("default");
        assertThat(new DecryptPolicy(List.of(rule("{name: r, action: block}")), Action.DECRYPT, null)
                .mayNeedCertificate()).isFalse();
    }

    static Stream<Arguments> certificates() {
        return Stream.of(
                cert("cert-subjects: ['*.bank.example']", "CN=www.bank.example,O=Bank", true),
                cert("cert-subjects: ['*.bank.example']", "CN=www.bank.example.evil.example", false),
                cert("cert-subjects: ['CN=www.bank.example,O=Bank']", "CN=www.bank.example,O=Bank", true),
                cert("cert-subjects: ['~.*O=Bank.*']", "CN=www.bank.example,O=Bank,C=US", true),
                cert("cert-subjects: ['Bank\\, Inc.']", "CN=Bank\\, Inc.,C=US", false),
                cert("cert-subjects: ['Bank, Inc.']", "CN=Bank\\, Inc.,C=US", true),
                cert("cert-sans: ['*.bank.example']", "CN=x", true),
                cert("cert-sans: [198.51.100.9]", "CN=x", true),
                cert("cert-sans: [bare.bank.example]", "CN=x", true),
                cert("cert-sans: [other.example]", "CN=x", false));
    }

    private static Arguments cert(String condition, String subject, boolean matches) {
        return Arguments.of(condition, subject, matches);
    }

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @MethodSource("certificates")
    void certificateConditionTable(String condition, String subject, boolean matches) {
        DecryptPolicy policy = new DecryptPolicy(List.of(rule("{name: r, " + condition + ", action: bypass}")),
                Action.DECRYPT, null);
        ConnectionFacts facts = facts().certificate(subject, "CN=Issuer",
                "DNS:www.bank.example", "IP:198.51.100.9", "bare.bank.example").build();

        assertThat(decided(policy.decide(facts)).rule()).isEqualTo(matches ? "r" : "default");
    }

    @Test
    void refusesDuplicateRuleNames() {
        List<PolicyRule> rules = List.of(rule("{name: a, action: bypass}"), rule("{name: b, action: bypass}"),
                rule("{name: a, action: block}"));

        assertThatThrownBy(() -> new DecryptPolicy(rules, Action.DECRYPT, null))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("rules[2].name");
                    assertThat(e.value()).isEqualTo("a");
                    assertThat(e.reason()).contains("rules[0]");
                });
    }

    @Test
    void factsNormaliseHosts() {
        ConnectionFacts f = facts().sni("  ").connect("Shop.Example.").build();

        assertThat(f.sni()).isNull();
        assertThat(f.host()).isEqualTo("shop.example");
        assertThat(facts().build().host()).isNull();
        assertThat(f.withCertificate(new CertificateFacts(null, null, null)).certificate().sans()).isEmpty();
    }

    static Verdict decided(PolicyDecision decision) {
        assertThat(decision).isInstanceOf(PolicyDecision.Decided.class);
        return ((PolicyDecision.Decided) decision).verdict();
    }
}
