package dev.loupe.core.intel;

import static dev.loupe.core.intel.IntelFixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class IndicatorSourcesTest {
    private static Indicator domain(String name, int risk) {
        return Indicator.of(IndicatorType.DOMAIN, name, "whatever", risk, NOW);
    }

    @Test
    void combinesSourcesAndStampsTheirNames() {
        IndicatorSources sources = new IndicatorSources();
        sources.replace("feed-b", List.of(domain("shared.example", 30), domain("b.example", 50)));
        sources.replace("feed-a", List.of(domain("shared.example", 70)));
        IndicatorStore store = sources.rebuild(NOW);
        assertThat(store.size()).isEqualTo(2);
        Indicator shared = store.matchHost("shared.example", NOW).orElseThrow().indicator();
        assertThat(shared.source()).isEqualTo("feed-a,feed-b");
        assertThat(shared.risk()).isEqualTo(70);

        sources.replace("feed-a", List.of());
        assertThat(sources.rebuild(NOW).matchHost("shared.example", NOW).orElseThrow().indicator().source())
                .isEqualTo("feed-b");
        assertThat(sources.sourceNames()).containsExactly("feed-a", "feed-b");
    }

    @Test
    void pushedIndicatorsCanBeAddedUpdatedAndRemovedByAnySpelling() {
        IndicatorSources sources = new IndicatorSources();
        sources.add("push", domain("pushed.example", 10));
        sources.add("push", domain("Pushed.Example.", 95));
        assertThat(sources.size("push")).isEqualTo(1);
        Indicator updated = sources.rebuild(NOW).matchHost("pushed.example", NOW).orElseThrow().indicator();
        assertThat(updated.risk()).isEqualTo(95);
        assertThat(sources.remove("push", IndicatorType.DOMAIN, "PUSHED.example")).isTrue();
        assertThat(sources.remove("push", IndicatorType.DOMAIN, "pushed.example")).isFalse();
        assertThat(sources.remove("push", IndicatorType.DOMAIN, "not a domain!")).isFalse();
        assertThat(sources.remove("nobody", IndicatorType.IP, "192.0.2.1")).isFalse();
        assertThat(sources.rebuild(NOW).size()).isZero();
    }

    @Test
    void hitsSurviveRebuilds() {
        IndicatorSources sources = new IndicatorSources();
        sources.replace("feed", List.of(domain("hit.example", 50)));
        IndicatorStore first = sources.rebuild(NOW);
        first.recordHit(first.matchHost("hit.example", NOW).orElseThrow());
        IndicatorStore second = sources.rebuild(NOW);
        second.recordHit(second.matchHost("hit.example", NOW).orElseThrow());
        assertThat(second.hits(domain("hit.example", 1))).isEqualTo(2);
    }

    @Test
    void concurrentUpdatesAndRebuildsStayConsistent() throws Exception {
        IndicatorSources sources = new IndicatorSources();
        AtomicReference<IndicatorStore> current = new AtomicReference<>(IndicatorStore.empty());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        sources.add("push-" + thread, domain("d" + i + ".t" + thread + ".example", 50));
                        if (i % 50 == 0) {
                            current.set(sources.rebuild(NOW));
                        }
                    }
                }));
            }
            for (Future<?> future : work) {
                future.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sources.rebuild(NOW).size()).isEqualTo(800);
    }
}
