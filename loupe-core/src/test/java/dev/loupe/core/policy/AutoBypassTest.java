package dev.loupe.core.policy;

import static dev.loupe.core.policy.TestFacts.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loupe.core.config.ConfigException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AutoBypassTest {
    static final InetAddress ALICE = ip("192.0.2.1");
    static final InetAddress BOB = ip("192.0.2.2");
    static final String APP = "api.app.example";
    static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final AutoBypass global = new AutoBypass(settings(null, null, null, "global", 1, null), clock);

    @Test
    void threeRejectionsWithinTheWindowBypassTheHost() {
        reject(global, ALICE, APP, 2);
        assertThat(global.check(ALICE, APP)).isEmpty();

        clock.advance(Duration.ofMinutes(4));
        global.clientRejectedCertificate(ALICE, APP);

        assertThat(global.check(ALICE, APP)).hasValueSatisfying(v -> {
            assertThat(v.rule()).isEqualTo("auto-bypass");
            assertThat(v.reason()).contains("rejected the forged certificate 3 times within 5m")
                    .contains("until 2030-01-01T01:04:00Z");
        });
        assertThat(global.bypassesGranted()).isEqualTo(1);
    }

    @Test
    void grantsAreAnnouncedAndAnotherNodesGrantIsAdoptedUntilItsOwnEnd() {
        List<AutoBypass.Entry> announced = new ArrayList<>();
        global.onGrant(announced::add);
        reject(global, ALICE, APP, 3);
        assertThat(announced).singleElement().satisfies(e -> {
            assertThat(e.host()).isEqualTo(APP);
            assertThat(e.client()).isNull();
            assertThat(e.until()).isEqualTo(START.plus(Duration.ofHours(1)));
        });

        AutoBypass other = new AutoBypass(settings(null, null, null, "global", 1, null), clock);
        assertThat(other.adopt(announced.get(0))).isTrue();
        assertThat(other.check(BOB, APP)).hasValueSatisfying(v -> assertThat(v.reason()).contains("certificate pinning"));
        assertThat(other.bypassesGranted()).as("adopted, not granted here").isZero();
        clock.advance(Duration.ofMinutes(61));
        assertThat(other.check(BOB, APP)).isEmpty();
        assertThat(other.adopt(announced.get(0))).as("already over").isFalse();

        AutoBypass perClient = new AutoBypass(AutoBypassSettings.defaults(), clock);
        var globalGrant = new AutoBypass.Entry("x.example", null, "r", clock.instant(), clock.instant().plusSeconds(60), 3);
        assertThat(perClient.adopt(globalGrant)).as("a global grant must not widen a per-client node").isFalse();
        var aliceOnly = new AutoBypass.Entry("x.example", "192.0.2.1", "r", clock.instant(),
                clock.instant().plusSeconds(60), 3);
        assertThat(perClient.adopt(aliceOnly)).isTrue();
        assertThat(perClient.check(ALICE, "x.example")).isPresent();
        assertThat(perClient.check(BOB, "x.example")).isEmpty();
    }

    @Test
    void anOperatorCanEndABypassBeforeItsTime() {
        reject(global, ALICE, APP, 3);
        assertThat(global.check(BOB, APP)).isPresent();
        assertThat(global.revoke("API.app.example.", null)).isTrue();
        assertThat(global.check(BOB, APP)).isEmpty();
        assertThat(global.active()).isEmpty();
        assertThat(global.revoke(APP, null)).as("nothing left to end").isFalse();
        assertThat(global.revoke(APP, "not-an-address")).isFalse();
    }

    @Test
    void rejectionsOlderThanTheWindowAreForgotten() {
        reject(global, ALICE, APP, 2);
        clock.advance(Duration.ofMinutes(5));
        global.clientRejectedCertificate(ALICE, APP);
        assertThat(global.check(ALICE, APP)).isEmpty();

        clock.advance(Duration.ofMinutes(1));
        global.clientRejectedCertificate(ALICE, APP); // two within the window now
        assertThat(global.check(ALICE, APP)).isEmpty();
        global.clientRejectedCertificate(ALICE, APP);
        assertThat(global.check(ALICE, APP)).isPresent();
    }

    @Test
    void bypassExpiresAfterTheDurationAndCountingStartsAfresh() {
        reject(global, ALICE, APP, 3);
        clock.advance(Duration.ofMinutes(59));
        assertThat(global.check(ALICE, APP)).isPresent();

        clock.advance(Duration.ofMinutes(1));
        assertThat(global.check(ALICE, APP)).isEmpty();
        assertThat(global.active()).isEmpty();

        global.clientRejectedCertificate(ALICE, APP);
        assertThat(global.check(ALICE, APP)).isEmpty();
        reject(global, ALICE, APP, 2);
        assertThat(global.check(ALICE, APP)).isPresent();
        assertThat(global.bypassesGranted()).isEqualTo(2);
    }

    @Test
    void globalScopeBypassesEveryClient() {
        reject(global, ALICE, "API.App.Example.", 3);

        assertThat(global.check(BOB, APP)).isPresent();
        assertThat(global.active()).containsExactly(new AutoBypass.Entry(APP, null,
                "clients rejected the forged certificate 3 times within 5m (1 distinct clients) (certificate pinning?)",
                START, START.plus(Duration.ofHours(1)), 3));
    }

    @Test
    void perClientScopeBypassesOnlyThatClient() {
        AutoBypass perClient = new AutoBypass(settings(2, null, Duration.ofMinutes(30), null, null,
                null), clock);

        reject(perClient, ALICE, APP, 1);
        reject(perClient, BOB, APP, 1);
        assertThat(perClient.check(ALICE, APP)).isEmpty(); // one each is not two for anyone
        reject(perClient, ALICE, APP, 1);

        assertThat(perClient.check(ALICE, APP)).isPresent();
        assertThat(perClient.check(BOB, APP)).isEmpty();
        assertThat(perClient.active()).singleElement().satisfies(e -> {
            assertThat(e.client()).isEqualTo("192.0.2.1");
            assertThat(e.until()).isEqualTo(START.plus(Duration.ofMinutes(30)));
            assertThat(e.failures()).isEqualTo(2);
        });
    }

    @Test
    void clientCertificateRequestBypassesImmediately() {
        global.serverRequestedClientCertificate(ALICE, "mtls.example");
        global.serverRequestedClientCertificate(ALICE, "mtls.example"); // already bypassed: not granted again
        clock.advance(Duration.ofSeconds(1));
        reject(global, BOB, APP, 3);

        assertThat(global.check(BOB, "mtls.example")).hasValueSatisfying(v ->
                assertThat(v.reason()).contains("client certificate").contains("mTLS"));
        assertThat(global.active()).extracting(AutoBypass.Entry::host, AutoBypass.Entry::failures)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("mtls.example", 0),
                        org.assertj.core.groups.Tuple.tuple(APP, 3));
        assertThat(global.bypassesGranted()).isEqualTo(2);
    }

    @Test
    void disabledOrHostlessReportsChangeNothing() {
        AutoBypass off = new AutoBypass(new AutoBypassSettings(false, null, null, null, null, null, null, null), clock);
        off.serverRequestedClientCertificate(ALICE, APP);
        global.serverRequestedClientCertificate(ALICE, null);
        global.serverRequestedClientCertificate(ALICE, " ");

        assertThat(off.check(ALICE, APP)).isEmpty();
        assertThat(off.bypassesGranted()).isZero();
        assertThat(global.check(ALICE, null)).isEmpty();
        assertThat(global.active()).isEmpty();
    }

    @Test
    void memoryIsBounded() {
        AutoBypass small = new AutoBypass(settings(null, null, null, null, null, 100_000), clock,
                CategoryList.empty(), AutoBypass.Eligibility.ANY, 50);
        for (int i = 0; i < 1000; i++) {
            small.serverRequestedClientCertificate(ALICE, "h" + i + ".example");
        }

        assertThat(small.active()).hasSizeLessThanOrEqualTo(50);
        assertThat(small.bypassesGranted()).isEqualTo(1000);
    }

    @Test
    void concurrentRejectionsGrantOneBypass() throws Exception {
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    reject(global, ALICE, APP, 200);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        }

        assertThat(global.bypassesGranted()).isEqualTo(1);
        assertThat(global.active()).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "failures=0        | failures | 0",
        "failures=101      | failures | 101",
        "window=0          | window   | 0s",
        "duration=-1       | duration | -1s",
        "duration=40d      | duration | 3456000s",
        "scope=everyone    | scope    | everyone",
        "global-min-clients=0 | global-min-clients | 0",
        "max-grants-per-minute=0 | max-grants-per-minute | 0",
        "never-bypass=a*b.example | never-bypass.hosts[0] | a*b.example",
    })
    void settingsAreValidated(String change, String field, String value) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> settings(change));

        assertThat(e).isNotNull();
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.value()).isEqualTo(value);
    }

    @Test
    void settingsDefaults() {
        AutoBypassSettings d = AutoBypassSettings.defaults();

        assertThat(d).isEqualTo(new AutoBypassSettings(true, 3, Duration.ofMinutes(5), Duration.ofHours(1),
                "per-client", 5, 10, new AutoBypassSettings.NeverBypass(null, null)));
        assertThat(d.perClient()).isTrue();
    }

    private static AutoBypassSettings settings(String change) {
        String[] kv = change.split("=");
        return switch (kv[0]) {
            case "failures" -> settings(Integer.parseInt(kv[1]), null, null, null, null, null);
            case "window" -> new AutoBypassSettings(null, null, Duration.ofSeconds(Long.parseLong(kv[1])), null, null,
                    null, null, null);
            case "duration" -> settings(null, null, kv[1].endsWith("d")
                    ? Duration.ofDays(Long.parseLong(kv[1].replace("d", "")))
                    : Duration.ofSeconds(Long.parseLong(kv[1])), null, null, null);
            case "global-min-clients" -> settings(null, null, null, null, Integer.parseInt(kv[1]), null);
            case "max-grants-per-minute" -> settings(null, null, null, null, null, Integer.parseInt(kv[1]));
            case "never-bypass" -> new AutoBypassSettings(null, null, null, null, null, null, null,
                    new AutoBypassSettings.NeverBypass(List.of(kv[1]), null));
            default -> settings(null, null, null, kv[1], null, null);
        };
    }

    static AutoBypassSettings settings(Integer failures, Duration window, Duration duration, String scope,
                                       Integer minClients, Integer maxGrants) {
        return new AutoBypassSettings(null, failures, window, duration, scope, minClients, maxGrants, null);
    }

    // ---- hardening: nobody can switch inspection off for others ---------------------------------------

    @Test
    void byDefaultOneClientsRejectionsBypassOnlyThatClient() {
        AutoBypass defaults = new AutoBypass(AutoBypassSettings.defaults(), clock);
        reject(defaults, ALICE, APP, 3);

        assertThat(defaults.check(ALICE, APP)).isPresent();
        assertThat(defaults.check(BOB, APP)).isEmpty();
    }

    @Test
    void globalScopeNeedsRejectionsFromEnoughDistinctClients() {
        AutoBypass g = new AutoBypass(settings(null, null, null, "global", null, null), clock);
        reject(g, ALICE, APP, 50); // one client, however often, is not enough
        for (int i = 2; i <= 4; i++) {
            reject(g, ip("192.0.2." + (10 + i)), APP, 1);
        }
        assertThat(g.check(BOB, APP)).as("4 distinct clients").isEmpty();

        assertThat(g.clientRejectedCertificate(ip("192.0.2.99"), APP)).isEqualTo(AutoBypass.Outcome.GRANTED);
        assertThat(g.check(BOB, APP)).hasValueSatisfying(v -> assertThat(v.reason()).contains("5 distinct clients"));
    }

    @Test
    void hostsTheEligibilityRefusesAreNeverBypassedButCounted() {
        AutoBypass guarded = new AutoBypass(AutoBypassSettings.defaults(), clock, CategoryList.empty(),
                facts -> facts.host().equals("c2.example")
                        ? java.util.Optional.of(new AutoBypass.Refusal("indicator", "listed")) : java.util.Optional.empty());
        reject(guarded, ALICE, "c2.example", 2);
        assertThat(guarded.clientRejectedCertificate(ALICE, "c2.example")).isEqualTo(AutoBypass.Outcome.REFUSED);
        assertThat(guarded.serverRequestedClientCertificate(ALICE, "c2.example")).isEqualTo(AutoBypass.Outcome.REFUSED);

        assertThat(guarded.check(ALICE, "c2.example")).isEmpty();
        assertThat(guarded.refusals()).containsEntry("indicator", 2L);
        assertThat(guarded.bypassesGranted()).isZero();
    }

    @Test
    void neverBypassHostsAndCategoriesAreRefused() {
        CategoryList cats = CategoryList.parse("bank.example finance\n", "test");
        AutoBypass guarded = new AutoBypass(new AutoBypassSettings(null, 1, null, null, null, null, null,
                new AutoBypassSettings.NeverBypass(List.of("*.corp.example"), List.of("Finance"))), clock, cats,
                AutoBypass.Eligibility.ANY);

        assertThat(guarded.clientRejectedCertificate(ALICE, "www.corp.example")).isEqualTo(AutoBypass.Outcome.REFUSED);
        assertThat(guarded.clientRejectedCertificate(ALICE, "bank.example")).isEqualTo(AutoBypass.Outcome.REFUSED);
        assertThat(guarded.clientRejectedCertificate(ALICE, APP)).isEqualTo(AutoBypass.Outcome.GRANTED);
        assertThat(guarded.refusals()).containsEntry("never-bypass", 2L);
    }

    @Test
    void grantsAreRateLimitedAndRemembered() {
        AutoBypass limited = new AutoBypass(settings(1, null, null, null, null, 2), clock);
        assertThat(limited.clientRejectedCertificate(ALICE, "a.example")).isEqualTo(AutoBypass.Outcome.GRANTED);
        assertThat(limited.clientRejectedCertificate(ALICE, "b.example")).isEqualTo(AutoBypass.Outcome.GRANTED);
        assertThat(limited.clientRejectedCertificate(ALICE, "c.example")).isEqualTo(AutoBypass.Outcome.REFUSED);
        assertThat(limited.check(ALICE, "c.example")).isEmpty();
        assertThat(limited.refusals()).containsEntry("rate-limit", 1L);

        clock.advance(Duration.ofSeconds(61));
        assertThat(limited.clientRejectedCertificate(ALICE, "c.example")).isEqualTo(AutoBypass.Outcome.GRANTED);
        assertThat(limited.recentGrants()).extracting(AutoBypass.Entry::host)
                .containsExactly("a.example", "b.example", "c.example");
    }

    private static void reject(AutoBypass bypass, InetAddress client, String host, int times) {
        for (int i = 0; i < times; i++) {
            bypass.clientRejectedCertificate(client, host);
        }
    }

    /** A clock tests move by hand; volatile because AutoBypass may read it from several threads. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
