package dev.loupe.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.core.config.ConfigLoader;
import dev.loupe.core.config.PacConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyAutoConfigTest {
    @Test
    void listsTheNodesInOrderWithoutADirectFallback() {
        String js = ProxyAutoConfig.script(new PacConfig(List.of("10.0.0.11:8080", "10.0.0.12:8080"),
                List.of("*.intranet.example")), "ignored:1");
        assertThat(js).contains("return \"PROXY 10.0.0.11:8080; PROXY 10.0.0.12:8080\";")
                .contains("shExpMatch(host, \"*.intranet.example\")")
                .contains("isPlainHostName(host)")
                .doesNotContain("ignored")
                .doesNotContain("PROXY 10.0.0.12:8080; DIRECT");
    }

    @Test
    void withoutConfiguredNodesItNamesTheAddressTheClientUsed() {
        assertThat(ProxyAutoConfig.script(PacConfig.defaults(), "proxy.corp.example:3128"))
                .contains("return \"PROXY proxy.corp.example:3128\";");
        assertThat(ProxyAutoConfig.safeHostPort("proxy.corp.example:3128")).isTrue();
        assertThat(ProxyAutoConfig.safeHostPort("[2001:db8::1]:8080")).isTrue();
        assertThat(ProxyAutoConfig.safeHostPort("x\"; return \"DIRECT")).as("no script injection via Host").isFalse();
    }

    @Test
    void badEntriesAreRefusedWithTheirField() {
        assertThatThrownBy(() -> new ConfigLoader().parse("pac: {proxies: ['10.0.0.11:8080', 'nodeb']}"))
                .hasMessageContaining("pac.proxies[1]").hasMessageContaining("'nodeb'").hasMessageContaining("host:port");
        assertThatThrownBy(() -> new ConfigLoader().parse("pac: {direct: ['a\"b']}"))
                .hasMessageContaining("pac.direct[0]");
    }
}
