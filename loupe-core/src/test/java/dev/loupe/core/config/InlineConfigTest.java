package dev.loupe.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InlineConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void readsAServiceWithSecureDefaults() {
        InlineConfig c = loader.parse("""
                inline:
                  services:
                    - {name: filter, devices: ["127.0.0.1:3128", "[::1]:3129"]}
                """).inline();
        assertThat(c.enabled()).isTrue();
        assertThat(c.returnAddress()).as("return listener on loopback by default").isEqualTo("127.0.0.1");
        assertThat(c.returnPort()).isEqualTo(8082);
        InlineServiceConfig s = c.services().get(0);
        assertThat(s.type()).isEqualTo("http");
        assertThat(s.failOpen()).as("nothing passes uninspected unless asked").isFalse();
        assertThat(s.healthInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(LoupeConfig.defaults().inline().enabled()).isFalse();
    }

    @Test
    void anL3ServiceNeedsMarksAndDefaultsItsPorts() {
        InlineServiceConfig s = loader.parse("""
                inline:
                  services: [{name: ips, type: l3, marks: [2, 4]}]
                """).inline().services().get(0);
        assertThat(s.l3()).isTrue();
        assertThat(s.marks()).containsExactly(2, 4);
        assertThat(s.serverPort()).isEqualTo(80);
        assertThat(s.returnPort()).isEqualTo(15002);
        assertThat(s.returnMark()).isEqualTo(3);
        assertThat(s.probeSource()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{services: [{name: f, devices: [localhost]}]}                          | inline.services[0].devices[0]  | localhost",
        "{services: [{name: f, devices: ['h:99999']}]}                          | inline.services[0].devices[0]  | h:99999",
        "{services: [{name: f, devices: []}]}                                   | inline.services[0].devices     | []",
        "{services: [{name: f, type: l4, devices: ['h:1']}]}                    | inline.services[0].type        | l4",
        "{services: [{name: f, type: l3}]}                                      | inline.services[0].marks       | []",
        "{services: [{name: f, type: l3, marks: [2], probe-source: 10.0.0.1}]}  | inline.services[0].probe-destination | ''",
        "{services: [{name: f, type: l3, marks: [2], probe-source: x, probe-destination: 10.0.0.2}]} | inline.services[0].probe-source | x",
        "{services: [{name: f, devices: ['h:1'], failure-mode: shrug}]}         | inline.services[0].failure-mode | shrug",
        "{return-allowed: [nowhere], services: [{name: f, devices: ['h:1']}]}   | inline.return-allowed[0]       | nowhere",
    })
    void refusesBadValuesNamingFieldAndValue(String inline, String field, String value) {
        assertThatThrownBy(() -> loader.parse("inline: " + inline + "\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).contains(value);
                });
    }
}
