package dev.loupe.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IcapConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void readsServicesInChainOrderWithDefaults() {
        LoupeConfig c = loader.parse("""
                icap:
                  spool-memory-bytes: 65536
                  services:
                    - name: urls
                      mode: reqmod
                      servers: [icap://127.0.0.1:1344/url_check]
                      failure-mode: fail-open
                    - name: av
                      mode: RESPMOD
                      servers: [icap://10.0.0.1/avscan, icap://10.0.0.2:1345/avscan]
                      balance: least-connections
                      content-types: [Application/*, text/html]
                      timeout: 30s
                """);
        assertThat(c.icap().enabled()).isTrue();
        assertThat(c.icap().spoolMemoryBytes()).isEqualTo(65536);
        var urls = c.icap().services().get(0);
        assertThat(urls.reqmod()).isTrue();
        assertThat(urls.failOpen()).isTrue();
        var av = c.icap().services().get(1);
        assertThat(av.mode()).isEqualTo("respmod");
        assertThat(av.servers()).containsExactly(URI.create("icap://10.0.0.1/avscan"),
                URI.create("icap://10.0.0.2:1345/avscan"));
        assertThat(av.failOpen()).as("fail-closed unless asked: nothing passes unscanned").isFalse();
        assertThat(av.contentTypes()).containsExactly("application/*", "text/html");
        assertThat(av.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(av.maxBodyBytes()).isEqualTo(100L * 1024 * 1024);
        assertThat(av.overMax()).isEqualTo("skip");
        assertThat(av.markDownAfter()).isEqualTo(3);
        assertThat(av.retries()).isEqualTo(1);
    }

    @Test
    void noServicesMeansOff() {
        assertThat(LoupeConfig.defaults().icap().enabled()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "[{name: av, mode: scan, servers: [icap://h/s]}]                       | icap.services[0].mode          | scan",
        "[{name: av, mode: reqmod, servers: [http://h/s]}]                     | icap.services[0].servers       | http://h/s",
        "[{name: av, mode: reqmod, servers: [icap://h/]}]                      | icap.services[0].servers       | icap://h/",
        "[{name: av, mode: reqmod, servers: []}]                               | icap.services[0].servers       | []",
        "[{name: 'a v', mode: reqmod, servers: [icap://h/s]}]                  | icap.services[0].name          | a v",
        "[{name: av, mode: reqmod, servers: [icap://h/s], balance: random}]    | icap.services[0].balance       | random",
        "[{name: av, mode: reqmod, servers: [icap://h/s], failure-mode: maybe}]| icap.services[0].failure-mode  | maybe",
        "[{name: av, mode: reqmod, servers: [icap://h/s], over-max: drop}]     | icap.services[0].over-max      | drop",
        "[{name: av, mode: reqmod, servers: [icap://h/s], content-types: [html]}] | icap.services[0].content-types | html",
        "[{name: av, mode: reqmod, servers: [icap://h/s], timeout: 0s}]        | icap.services[0].timeout       | 0s",
        "[{name: av, mode: reqmod, servers: [icap://h/s]}, {name: av, mode: respmod, servers: [icap://h/s]}] | icap.services | av",
    })
    void refusesBadServicesNamingFieldAndValue(String services, String field, String value) {
        assertThatThrownBy(() -> loader.parse("icap:\n  services: " + services + "\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).contains(value);
                });
    }
}
