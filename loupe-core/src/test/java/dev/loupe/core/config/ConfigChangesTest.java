package dev.loupe.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigChangesTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void policyIntelServicesAndListenersAreReloadableKeysTrustAndAdminAreNot() {
        LoupeConfig running = loader.parse("listener: {port: 3128}\n");
        ConfigChanges rule = ConfigChanges.between(running, loader.parse("""
                listener: {port: 3128}
                policy: {rules: [{name: r, hosts: [a.test], action: block}]}
                intel: {sources: [{name: l, type: file, path: /tmp/x, format: plain}]}
                limits: {idle-timeout: 30s}
                """));
        assertThat(rule.changed()).containsExactly("limits", "intel", "policy");
        assertThat(rule.applicable()).isTrue();
        ConfigChanges port = ConfigChanges.between(running, loader.parse("""
                listener: {port: 3129}
                icap: {services: [{name: av, mode: respmod, servers: ["icap://127.0.0.1:1344/avscan"]}]}
                mirror: {sinks: [{type: pcap-file, directory: /tmp/p}]}
                access-log: {target: /tmp/a.log}
                """));
        assertThat(port.changed()).containsExactly("listener", "access-log", "mirror", "icap");
        assertThat(port.applicable()).isTrue();
        ConfigChanges restart = ConfigChanges.between(running, loader.parse("""
                listener: {port: 3128}
                ca: {common-name: Other}
                admin: {port: 9999}
                upstream: {connect-timeout: 3s}
                policy: {rules: [{name: r, hosts: [a.test], action: block}]}
                """));
        assertThat(restart.needRestart()).containsExactly("ca", "upstream", "admin");
        assertThat(restart.changed()).contains("policy");
        assertThat(restart.applicable()).isFalse();
        assertThat(ConfigChanges.between(running, loader.parse("listener: {port: 3128}\n")).none()).isTrue();
    }
}
