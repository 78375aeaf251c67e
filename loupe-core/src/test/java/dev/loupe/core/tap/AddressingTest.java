package dev.loupe.core.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressingTest {

    @Test
    void defaultsAreLocallyAdministeredUntaggedWith1460() {
        MirrorAddressing defaults = MirrorAddressing.defaults();
        assertThat(defaults.clientMac()).containsExactly(2, 0, 0, 0, 0, 1);
        assertThat(defaults.serverMac()).containsExactly(2, 0, 0, 0, 0, 2);
        assertThat(defaults.vlanId()).isNull();
        assertThat(defaults.mss()).isEqualTo(1460);
        assertThat(defaults).isEqualTo(MirrorAddressing.defaults()).hasSameHashCodeAs(MirrorAddressing.defaults());
        assertThat(defaults.toString()).contains("02:00:00:00:00:01");
    }

    @Test
    void macsAreCopiedSoCallersCannotMutateThem() {
        byte[] mac = {2, 0, 0, 0, 0, 9};
        MirrorAddressing addressing = new MirrorAddressing(mac, mac, 10, 1000);
        mac[5] = 7;
        addressing.clientMac()[5] = 7;
        assertThat(addressing.clientMac()[5]).isEqualTo((byte) 9);
    }

    @Test
    void rejectsInvalidValues() {
        byte[] mac = new byte[6];
        assertThatThrownBy(() -> new MirrorAddressing(new byte[5], mac, null, 1460)).hasMessageContaining("6 bytes");
        assertThatThrownBy(() -> new MirrorAddressing(mac, mac, 0, 1460)).hasMessageContaining("VLAN");
        assertThatThrownBy(() -> new MirrorAddressing(mac, mac, 4095, 1460)).hasMessageContaining("VLAN");
        assertThatThrownBy(() -> new MirrorAddressing(mac, mac, null, 63)).hasMessageContaining("MSS");
        assertThatThrownBy(() -> new MirrorAddressing(mac, mac, null, 65_496)).hasMessageContaining("MSS");
        assertThat(new MirrorAddressing(mac, mac, 4094, 65_495).mss()).isEqualTo(65_495);
    }

    @Test
    void endpointsMustShareAFamilyAndHaveValidPorts() throws Exception {
        InetAddress v4 = InetAddress.getByName("192.0.2.1");
        InetAddress v6 = InetAddress.getByName("2001:db8::1");
        assertThatThrownBy(() -> new FlowEndpoints(v4, 1, v6, 2)).hasMessageContaining("must both be IPv4 or both IPv6");
        assertThatThrownBy(() -> new FlowEndpoints(v4, 65_536, v4, 2)).hasMessageContaining("clientPort");
        assertThatThrownBy(() -> new FlowEndpoints(v4, 1, v4, -1)).hasMessageContaining("serverPort");
        assertThat(new FlowEndpoints(v6, 1, v6, 2).isIpv6()).isTrue();
        assertThat(new FlowEndpoints(v4, 1, v4, 2).isIpv6()).isFalse();
    }
}
