package dev.loupe.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void aRuleChainMayNameOnlyConfiguredServices() {
        String base = """
                icap: {services: [{name: av, mode: respmod, servers: ['icap://127.0.0.1/avscan']}]}
                policy: {rules: [{name: dl, hosts: [a.test], action: decrypt, services: [%s]}]}
                """;
        assertThat(new ConfigLoader().parse(base.formatted("av")).policy().rules().get(0).services()).containsExactly("av");
        assertThatThrownBy(() -> new ConfigLoader().parse(base.formatted("av, sandbox")))
                .hasMessageContaining("policy.rules[0].services[1]").hasMessageContaining("'sandbox'")
                .hasMessageContaining("no such service (configured: av)");
        assertThatThrownBy(() -> new ConfigLoader().parse(base.formatted("mirror")))
                .as("the mirror is a service only when a sink is configured").hasMessageContaining("services[0]");
        var none = new ConfigLoader().parse(base.formatted("")).policy().rules();
        assertThat(none.get(0).services()).as("services: [] is a chain of no service").isEmpty();
        assertThat(dev.loupe.core.policy.ServiceChain.byRule(none).get("dl").allows("av")).isFalse();
    }

    @Test
    void emptyFileGivesSecureDefaults() {
        LoupeConfig c = loader.parse("");
        assertThat(c.listener().address()).isEqualTo("127.0.0.1");
        assertThat(c.listener().port()).isEqualTo(8080);
        assertThat(c.listener().allowedClients()).containsExactly("127.0.0.0/8", "::1/128");
        assertThat(c.upstream().invalidCertificateAction()).isEqualTo(InvalidCertificateAction.ERROR_PAGE);
        assertThat(c.dataDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".loupe"));
        assertThat(c.ca().type().configName()).isEqualTo("ec-p256");
        assertThat(c.runtime().loops()).as("one event loop per core")
                .isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void readsNestedSectionsWithKebabCaseAndDurations() {
        LoupeConfig c = loader.parse("""
                data-dir: ~/custom
                listener:
                  port: 3128
                  allowed-clients: [10.0.0.0/8]
                upstream:
                  connect-timeout: 250ms
                  on-invalid-certificate: reject
                limits:
                  idle-timeout: 2m
                ca:
                  key-type: rsa-3072
                runtime:
                  event-loops: 3
                """);
        assertThat(c.dataDir()).isEqualTo(Path.of(System.getProperty("user.home"), "custom"));
        assertThat(c.listener().port()).isEqualTo(3128);
        assertThat(c.upstream().connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.upstream().invalidCertificateAction()).isEqualTo(InvalidCertificateAction.REJECT);
        assertThat(c.limits().idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.ca().type().configName()).isEqualTo("rsa-3072");
        assertThat(c.runtime().loops()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "listener: {port: 70000}                     | listener.port                    | 70000",
        "listener: {port: abc}                       | listener.port                    | abc",
        "listener: {prot: 80}                        | listener.prot                    | prot",
        "listener: {allowed-clients: [10.0.0.0/8, x]}| listener.allowed-clients[1]      | x",
        "upstream: {connect-timeout: 10 parsecs}     | upstream.connect-timeout         | 10 parsecs",
        "upstream: {on-invalid-certificate: accept}  | upstream.on-invalid-certificate  | accept",
        "upstream: {extra-ca-bundles: [/no/such.pem]}| upstream.extra-ca-bundles[0]     | /no/such.pem",
        "ca: {key-type: dsa-1024}                    | ca.key-type                      | dsa-1024",
        "limits: {max-header-size: 10}               | limits.max-header-size           | 10",
        "limits: {idle-timeout: 0s}                  | limits.idle-timeout              | 0s",
        "resolver: {nameservers: [8.8.8.8]}          | resolver.nameservers[0]          | 8.8.8.8",
        "runtime: {event-loops: -1}                  | runtime.event-loops              | -1",
        "listenr: {}                                 | listenr                          | listenr",
    })
    void refusesBadValuesNamingFieldAndValue(String yaml, String field, String value) {
        assertThatThrownBy(() -> loader.parse(yaml))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).contains(field).contains(value);
                    assertThat(e.reason()).isNotBlank();
                });
    }

    @Test
    void malformedYamlNamesTheLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "listener:\n  port: 1\nupstream: {connect-timeout: 1s\n");
        assertThatThrownBy(() -> loader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML").hasMessageContaining("line");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> loader.load(Path.of("/no/such/loupe.yaml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("/no/such/loupe.yaml");
    }
}
