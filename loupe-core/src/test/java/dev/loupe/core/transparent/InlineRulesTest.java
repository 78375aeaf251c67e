package dev.loupe.core.transparent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;

class InlineRulesTest {
    @Test
    void anL2PairRoutesOutToTheFarInterfacesMacAndBackByItsConnectionMark() {
        String script = InlineRules.shellScript(new ConfigLoader().parse("""
                transparent: {enabled: true, ports: [443]}
                inline:
                  services:
                    - {name: bump, type: l2, marks: [4, 6], pairs: [{egress: i0, ingress: i1}, {egress: i2, ingress: i3}],
                       server-port: 80, return-port: 15002}
                """));
        assertThat(script)
                .contains("ip neigh replace 169.254.0.2 lladdr \"$(cat /sys/class/net/i1/address)\" dev i0 nud permanent")
                .contains("ip neigh replace 169.254.0.1 lladdr \"$(cat /sys/class/net/i0/address)\" dev i1 nud permanent")
                .contains("ip rule add fwmark 0x4 lookup 1004")
                .contains("ip route replace default via 169.254.0.2 dev i0 onlink table 1004")
                .contains("ip -6 route replace default via fe80::2 dev i2 table 1006")
                .contains("iifname \"i3\" meta nfproto ipv4 tcp dport 80 ct mark set 0x7 tproxy ip to :15002")
                .contains("iifname \"i3\" meta nfproto ipv6 tcp dport 80 ct mark set 0x7 tproxy ip6 to :15002")
                .contains("meta mark 0x3 ct mark { 0x5, 0x7 } meta mark set ct mark")
                .contains("[ -e /sys/class/net/\"$dev\"/device ] || ethtool -K \"$dev\" tx off");
    }

    @Test
    void aServiceThatIsNotRoutedHasNoRulesAndMarksMustNotCollide() {
        assertThatThrownBy(() -> InlineRules.shellScript(new ConfigLoader().parse("""
                inline: {services: [{name: f, devices: ["127.0.0.1:3128"]}]}
                """))).hasMessageContaining("http one");
        assertThatThrownBy(() -> new ConfigLoader().parse("""
                inline: {services: [{name: b, type: l2, marks: [2], pairs: [{egress: i0, ingress: i1}]}]}
                """)).hasMessageContaining("return-mark").hasMessageContaining("must differ");
        assertThatThrownBy(() -> new ConfigLoader().parse("""
                inline: {services: [{name: b, type: l2, marks: [4, 5], pairs: [{egress: i0, ingress: i1}, {egress: i2, ingress: i3}]}]}
                """)).hasMessageContaining("marks").hasMessageContaining("mark + 1");
        assertThatThrownBy(() -> new ConfigLoader().parse("""
                inline: {services: [{name: b, type: l2, marks: [4], pairs: [{egress: i0, ingress: i0}]}]}
                """)).hasMessageContaining("ingress").hasMessageContaining("must differ from egress");
    }
}
