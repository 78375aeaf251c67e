package dev.loupe.gateway.inline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.net.Origin;
import org.junit.jupiter.api.Test;

class FlowRegistryTest {
    @Test
    void flowsAreFoundByTheirUnguessableIdUntilRemoved() {
        FlowRegistry flows = new FlowRegistry();
        FlowRegistry.Flow a = flows.register(new Origin("a.test", 443), "a.test", "10.0.0.1");
        FlowRegistry.Flow b = flows.register(new Origin("b.test", 8443), null, "10.0.0.2");
        assertThat(a.id()).hasSize(32).isNotEqualTo(b.id()).matches("[0-9a-f]+");
        assertThat(flows.find(a.id())).isEqualTo(a);
        assertThat(flows.find(null)).isNull();
        assertThat(flows.find("00000000000000000000000000000000")).isNull();
        flows.remove(a);
        assertThat(flows.find(a.id())).isNull();
        assertThat(flows.find(b.id()).origin()).isEqualTo(new Origin("b.test", 8443));
    }

    @Test
    void aProbeIdIsAnsweredOnceAndIsNeverAFlow() {
        FlowRegistry flows = new FlowRegistry();
        String probe = flows.newProbe();
        assertThat(flows.find(probe)).isNull();
        assertThat(flows.takeProbe(probe)).isTrue();
        assertThat(flows.takeProbe(probe)).isFalse();
    }
}
