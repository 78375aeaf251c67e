package dev.loupe.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.core.config.ConfigLoader;
import dev.loupe.core.intel.Indicator;
import dev.loupe.core.intel.IndicatorType;
import dev.loupe.core.policy.AutoBypass;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterCodecTest {
    private static final Instant T = Instant.parse("2026-12-04T10:00:00Z");

    @Test
    void indicatorsRoundTripWithTheirExpiry() {
        Indicator i = new Indicator(IndicatorType.DOMAIN, "*.Evil.Example", false, "sandbox-1", 90, T, T,
                T.plusSeconds(60));
        Indicator back = ClusterCodec.readIndicator(ClusterCodec.indicator(i));
        assertThat(back).isEqualTo(i);
        assertThat(back.includeSubdomains()).isTrue();
        assertThat(back.expiresAt()).isEqualTo(T.plusSeconds(60));
        Indicator never = Indicator.of(IndicatorType.CIDR, "10.1.2.3/8", "api", 50, T);
        assertThat(ClusterCodec.readIndicator(ClusterCodec.indicator(never))).isEqualTo(never);
    }

    @Test
    void fieldsAreCanonicalSoEverySpellingMeetsTheSameEntry() {
        assertThat(ClusterCodec.indicatorField(IndicatorType.DOMAIN, "EVIL.example."))
                .isEqualTo(ClusterCodec.indicatorField(IndicatorType.DOMAIN, "evil.example"))
                .isEqualTo("domain:evil.example");
        assertThat(ClusterCodec.indicatorField(IndicatorType.URL, "https://Evil.example:443/a/../b"))
                .isEqualTo("url:evil.example/b");
    }

    @Test
    void eventsRoundTrip() {
        var bypass = new AutoBypass.Entry("pinned.test", "10.0.0.7", "pinning", T, T.plusSeconds(300), 3);
        var global = new AutoBypass.Entry("mtls.test", null, "mTLS", T, T.plusSeconds(300), 0);
        List<ClusterEvent> events = List.of(
                new ClusterEvent.IndicatorPut("a", T, Indicator.of(IndicatorType.URL, "evil.example/kit/", "api", 80, T)),
                new ClusterEvent.IndicatorRemoved("b", T, IndicatorType.IP, "192.0.2.1"),
                new ClusterEvent.BypassGranted("a", T, bypass),
                new ClusterEvent.BypassGranted("a", T, global),
                new ClusterEvent.BypassRevoked("b", T, "pinned.test", "10.0.0.7"),
                new ClusterEvent.BypassRevoked("b", T, "mtls.test", null));
        for (ClusterEvent e : events) {
            assertThat(ClusterCodec.readEvent(ClusterCodec.event(e))).isEqualTo(e);
        }
        assertThat(ClusterCodec.bypassField(bypass)).isEqualTo("pinned.test|10.0.0.7");
        assertThat(ClusterCodec.bypassField(global)).isEqualTo("mtls.test|*")
                .as("a revocation names the field the grant wrote").isEqualTo(ClusterCodec.bypassField("mtls.test", null));
    }

    @Test
    void badValuesAreRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> ClusterCodec.readEvent("{\"node\":\"a\",\"at\":\"2026-12-04T10:00:00Z\",\"op\":\"x\"}"))
                .hasMessageContaining("unknown op 'x'");
        assertThatThrownBy(() -> ClusterCodec.readEvent("not json")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> ClusterCodec.readIndicator("{\"type\":\"domain\",\"value\":\"x.test\"}"))
                .hasMessageContaining("missing 'first_seen'");
        assertThatThrownBy(() -> ClusterCodec.readIndicator("{\"type\":\"planet\",\"value\":\"x\","
                + "\"first_seen\":\"2026-12-04T10:00:00Z\",\"last_seen\":\"2026-12-04T10:00:00Z\",\"risk\":1}"))
                .hasMessageContaining("unknown indicator type 'planet'");
        assertThatThrownBy(() -> ClusterCodec.readNode("{\"node\":\"a\",\"ca\":\"x\",\"started\":\"yesterday\"}"))
                .hasMessageContaining("'started' is not an ISO-8601 instant");
    }

    @Test
    void theViewFlagsStaleNodesAndOnesWithAnotherConfigOrCa() {
        NodeInfo self = new NodeInfo("a", "1", "cfg", "CA", "serving", T, T);
        NodeInfo fresh = new NodeInfo("b", "1", "cfg", "CA", "serving", T, T.minusMillis(1500));
        NodeInfo silent = new NodeInfo("c", "1", "cfg", "CA", "serving", T, T.minusSeconds(4));
        NodeInfo other = new NodeInfo("d", "2", "cfg2", "CA2", "draining", T, T);
        var members = ClusterView.judge(self, List.of(other, silent, fresh, self), T, Duration.ofSeconds(1));
        assertThat(members).extracting(m -> m.info().node()).containsExactly("a", "b", "c", "d");
        assertThat(members.get(0).self()).isTrue();
        assertThat(members.get(0).flags()).isEmpty();
        assertThat(members.get(1).flags()).isEmpty();
        assertThat(members.get(2).flags()).containsExactly("stale");
        assertThat(members.get(3).flags()).containsExactly("config differs", "ca differs");
        assertThat(ClusterCodec.readNode(ClusterCodec.node(other))).isEqualTo(other);
    }

    @Test
    void theConfigFingerprintIgnoresTheNodeNameDataDirAndAccessLogFileButNothingElse() {
        ConfigLoader loader = new ConfigLoader();
        String base = "cluster: {redis: 'redis://127.0.0.1:6379', node: %s}\ndata-dir: %s\naccess-log: {target: %<s/a.log}\n"
                + "intel: {sources: [{name: l, type: file, path: /tmp/x.txt, format: plain}]}\n%s";
        String a = loader.parse(base.formatted("a", "/tmp/a", "")).fingerprint();
        assertThat(loader.parse(base.formatted("a", "/tmp/a", "")).fingerprint()).isEqualTo(a);
        assertThat(loader.parse(base.formatted("b", "/tmp/b", "")).fingerprint()).isEqualTo(a);
        assertThat(loader.parse(base.formatted("a", "/tmp/a", "limits: {idle-timeout: 7s}\n")).fingerprint())
                .isNotEqualTo(a);
    }
}
