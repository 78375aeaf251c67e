package dev.loupe.core.policy;

import static dev.loupe.core.policy.TestRules.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loupe.core.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyRuleValidationTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{name: r, clients: [10.0.0.0/33], action: bypass}           | clients[0]      | 10.0.0.0/33    | CIDR",
        "{name: r, clients: [10.0.0.1, lan.example], action: bypass} | clients[1]      | lan.example    | not resolved",
        "{name: r, destinations: [300.1.1.1], action: bypass}        | destinations[0] | 300.1.1.1      | CIDR",
        "{name: r, hosts: ['~[unclosed'], action: bypass}            | hosts[0]        | ~[unclosed     | regular expression",
        "{name: r, hosts: ['www.*.example'], action: bypass}         | hosts[0]        | www.*.example  | '*.'",
        "{name: r, hosts: ['*'], action: bypass}                     | hosts[0]        | *              | '*.'",
        "{name: r, hosts: [ok.example, 'bad host'], action: bypass}  | hosts[1]        | bad host       | not allowed",
        "{name: r, hosts: ['~'], action: bypass}                     | hosts[0]        | ~              | empty regular",
        "{name: r, hosts: [], action: bypass}                        | hosts           | []             | leave the field out",
        "{name: r, ports: [443, 0], action: bypass}                  | ports[1]        | 0              | 1 and 65535",
        "{name: r, ports: [70000], action: bypass}                   | ports[0]        | 70000          | 1 and 65535",
        "{name: r, alpn: [''], action: bypass}                       | alpn[0]         | ''             | empty",
        "{name: r, categories: ['finance,health'], action: bypass}   | categories[0]   | finance,health | one per list entry",
        "{name: r, cert-issuers: ['~('], action: bypass}             | cert-issuers[0] | ~(             | regular expression",
        "{name: r, cert-sans: ['*.'], action: bypass}                | cert-sans[0]    | *.             | nothing after",
        "{name: r, hosts: [a.example]}                               | action          | null           | required",
        "{name: r, action: allow}                                    | action          | allow          | decrypt, bypass, block",
        "{name: r, action: BYPASS}                                   | action          | BYPASS         | decrypt, bypass, block",
        "{hosts: [a.example], action: bypass}                        | name            | null           | needs a name",
        "{name: ' ', action: bypass}                                 | name            | ' '            | needs a name",
        "{name: default, action: bypass}                             | name            | default        | reserved",
        "{name: auto-bypass, action: bypass}                         | name            | auto-bypass    | reserved",
    })
    void refusalsNameTheFieldAndValue(String yaml, String field, String value, String reason) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> rule(yaml));

        assertThat(e).as(yaml).isNotNull();
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.value()).isEqualTo(value.equals("''") ? "" : value.equals("' '") ? " " : value);
        assertThat(e.reason()).contains(reason);
        if (!field.equals("name")) {
            assertThat(e.reason()).contains("rule 'r'");
        }
    }

    @Test
    void invalidRegexMessageNamesRuleAndPattern() {
        assertThatThrownBy(() -> rule("{name: banks, hosts: ['~(bank'], action: bypass}"))
                .hasMessageContaining("hosts[0]").hasMessageContaining("~(bank").hasMessageContaining("rule 'banks'");
    }

    @Test
    void fieldsNestUnderTheRulesPath() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> rule("{name: r, ports: [0], action: bypass}"));

        assertThat(e.under("decrypt.rules[2]").field()).isEqualTo("decrypt.rules[2].ports[0]");
    }

    @Test
    void mapsKebabCaseYamlAndKeepsAbsentListsAsAny() throws Exception {
        PolicyRule r = TestRules.YAML.readValue("""
                name: pinned-app
                hosts: ['*.app.example']
                clients: [10.0.0.0/8]
                destinations: ['2001:db8::/32']
                ports: [443]
                alpn: [h2]
                listeners: [transparent]
                categories: [finance]
                cert-subjects: ['~.*O=App.*']
                cert-issuers: [App CA]
                cert-sans: [api.app.example]
                action: bypass
                """, PolicyRule.class);

        assertThat(r.certSubjects()).containsExactly("~.*O=App.*");
        assertThat(r.certIssuers()).containsExactly("App CA");
        assertThat(r.certSans()).containsExactly("api.app.example");
        assertThat(r.ports()).containsExactly(443);
        assertThat(r.needsCertificate()).isTrue();
        assertThat(r.parsedAction()).isEqualTo(Action.BYPASS);
        PolicyRule minimal = rule("{name: m, action: block}");
        assertThat(minimal.hosts()).isNull();
        assertThat(minimal.needsCertificate()).isFalse();
    }

    @Test
    void refusesUnknownYamlKeys() {
        assertThatThrownBy(() -> rule("{name: r, sni: [a.example], action: bypass}"))
                .hasRootCauseInstanceOf(com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException.class);
    }

    @Test
    void constructorCopiesLists() {
        List<String> hosts = new java.util.ArrayList<>(List.of("a.example"));
        PolicyRule r = new PolicyRule("r", hosts, null, null, null, null, null, null, null, null, null, null, null,
                null, "decrypt");
        hosts.add("b.example");

        assertThat(r.hosts()).containsExactly("a.example");
    }

    @Test
    void actionsUseLowerCaseConfigNames() {
        assertThat(Action.BYPASS.configName()).isEqualTo("bypass");
        assertThat(Action.fromConfigName("default", "block")).isEqualTo(Action.BLOCK);
        assertThatThrownBy(() -> Action.fromConfigName("default", "inspect"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("default");
                    assertThat(e.reason()).isEqualTo("must be one of decrypt, bypass, block");
                });
    }

    @Test
    void verdictsReportTheirAction() {
        assertThat(Verdict.of(Action.BLOCK, "r", "why")).isEqualTo(new Verdict.Block("r", "why"));
        assertThat(new Verdict.Decrypt("r", "why").action()).isEqualTo(Action.DECRYPT);
        assertThat(new Verdict.Bypass("r", "why").action()).isEqualTo(Action.BYPASS);
    }
}
