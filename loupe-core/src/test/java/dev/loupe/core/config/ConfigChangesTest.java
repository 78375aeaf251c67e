package dev.loupe.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigChangesTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void policyAndIntelChangesAreReloadableListenerChangesAreNot() {
        LoupeConfig running = loader.parse("listener: {port: 3128}\n");
        ConfigChanges rule = ConfigChanges.between(running, loader.parse("""
                listener: {port: 3128}
                policy: {rules: [{name: r, hosts: [a.test], action: block}]}
                intel: {sources: [{name: l, type: file, path: /tmp/x, format: plain}]}
                limits: {idle-timeout: 30s}
                """));
        assertThat(rule.changed()).containsExactly("limits", "intel", "policy");
        assertThat(rule.applicable()).isTrue();
        ConfigChanges port = ConfigChanges.between(running, loader.parse("listener: {port: 3129}\n"));
        assertThat(port.changed()).containsExactly("listener");
        assertThat(port.needRestart()).containsExactly("listener");
        assertThat(port.applicable()).isFalse();
        assertThat(ConfigChanges.between(running, loader.parse("listener: {port: 3128}\n")).none()).isTrue();
    }
}
