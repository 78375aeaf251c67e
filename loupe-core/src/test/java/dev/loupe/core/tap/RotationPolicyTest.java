package dev.loupe.core.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RotationPolicyTest {
    private static final Instant OPENED = Instant.parse("2026-11-26T10:15:00Z");

    @Test
    void rotatesOnSizeOrAge() {
        RotationPolicy policy = new RotationPolicy(1_000, Duration.ofMinutes(5), 3);
        assertThat(policy.shouldRotate(999, OPENED, OPENED.plusSeconds(299))).isFalse();
        assertThat(policy.shouldRotate(1_000, OPENED, OPENED)).isTrue();
        assertThat(policy.shouldRotate(0, OPENED, OPENED.plusSeconds(300))).isTrue();
    }

    @Test
    void zeroDisablesALimit() {
        RotationPolicy sizeOnly = new RotationPolicy(1_000, Duration.ZERO, 0);
        assertThat(sizeOnly.shouldRotate(999, OPENED, OPENED.plus(Duration.ofDays(365)))).isFalse();
        RotationPolicy ageOnly = new RotationPolicy(0, Duration.ofHours(1), 0);
        assertThat(ageOnly.shouldRotate(Long.MAX_VALUE, OPENED, OPENED.plusSeconds(3_599))).isFalse();
        assertThat(ageOnly.toDelete(List.of(Path.of("a"), Path.of("b")))).isEmpty();
    }

    @Test
    void retentionDeletesTheOldestBeyondMaxFiles() {
        RotationPolicy policy = new RotationPolicy(1, Duration.ZERO, 2);
        List<Path> files = List.of(Path.of("a.pcap"), Path.of("b.pcap"), Path.of("c.pcap"), Path.of("d.pcap"));
        assertThat(policy.toDelete(files)).containsExactly(Path.of("a.pcap"), Path.of("b.pcap"));
        assertThat(policy.toDelete(files.subList(0, 2))).isEmpty();
        assertThat(policy.toDelete(List.of())).isEmpty();
    }

    @Test
    void fileNamesAreUtcAndSequenced() {
        assertThat(RotationPolicy.fileName("loupe", OPENED, 1, false)).isEqualTo("loupe-20261126T101500Z-0001.pcap");
        assertThat(RotationPolicy.fileName("tap", Instant.parse("2026-01-02T03:04:05.999Z"), 12_345, true))
                .isEqualTo("tap-20260102T030405Z-12345.pcapng");
        assertThatThrownBy(() -> RotationPolicy.fileName("../x", OPENED, 1, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RotationPolicy.fileName(" ", OPENED, 1, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RotationPolicy.fileName("x", OPENED, -1, false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNegativeLimits() {
        assertThatThrownBy(() -> new RotationPolicy(-1, Duration.ZERO, 0)).hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> new RotationPolicy(0, Duration.ofSeconds(-1), 0)).hasMessageContaining("maxAge");
        assertThatThrownBy(() -> new RotationPolicy(0, Duration.ZERO, -1)).hasMessageContaining("maxFiles");
    }
}
