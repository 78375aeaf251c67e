package dev.loupe.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigChangesTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void policyIntelServicesAndListenersAreReloadableKeysAndTrustAreNot() {
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
                runtime: {event-loops: 1}
                """));
        assertThat(restart.needRestart()).as("admin moves on reload; keys, trust and threads do not")
                .containsExactly("ca", "upstream", "runtime");
        assertThat(restart.changed()).contains("policy");
        assertThat(restart.applicable()).isFalse();
        assertThat(ConfigChanges.between(running, loader.parse("listener: {port: 3128}\n")).none()).isTrue();
    }

    @Test
    void inlineDevicesReloadButItsReturnListenerAndTypeNeedARestart() {
        LoupeConfig running = loader.parse("""
                inline: {services: [{name: f, devices: ["127.0.0.1:3128"]}]}
                """);
        LoupeConfig moreDevices = loader.parse("""
                inline: {services: [{name: f, devices: ["127.0.0.1:3128", "127.0.0.1:3129"], health-interval: 2s}]}
                """);
        assertThat(ConfigChanges.between(running, moreDevices).applicable()).isTrue();
        assertThat(ConfigChanges.inlineNeedsRestart(running.inline(), moreDevices.inline())).isNull();
        assertThat(ConfigChanges.inlineNeedsRestart(running.inline(), loader.parse("""
                inline: {return-port: 9999, services: [{name: f, devices: ["127.0.0.1:3128"]}]}
                """).inline())).contains("return-port");
        assertThat(ConfigChanges.inlineNeedsRestart(running.inline(), loader.parse("").inline()))
                .contains("on or off");
        assertThat(ConfigChanges.inlineNeedsRestart(running.inline(), loader.parse("""
                inline: {services: [{name: f, type: l3, marks: [5]}]}
                """).inline())).contains("type");
    }
}
