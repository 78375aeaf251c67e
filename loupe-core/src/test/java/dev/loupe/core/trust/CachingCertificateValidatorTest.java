package dev.loupe.core.trust;

import static dev.loupe.core.trust.TestPki.HOST;
import static dev.loupe.core.trust.TestPki.INTERMEDIATE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.trust.CertificateVerdict.Untrusted;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachingCertificateValidatorTest {

    /** A clock the test can move forward. */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void set(Instant instant) {
            now = instant;
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

    private final MutableClock clock = new MutableClock(TestPki.NOW);
    private final UpstreamCertificateValidator real = new UpstreamCertificateValidator(TestPki.ANCHORS, clock);
    private final AtomicInteger delegateCalls = new AtomicInteger();
    private final CachingCertificateValidator caching = new CachingCertificateValidator((chain, host) -> {
        delegateCalls.incrementAndGet();
        return real.evaluate(chain, host);
    }, clock, 100);

    private final X509Certificate leaf = TestPki.leaf().build().cert(); // notAfter 2027-01-01
    private final List<X509Certificate> chain = List.of(leaf, INTERMEDIATE.cert());

    @Test
    void secondCallIsServedFromTheCacheIgnoringHostCase() {
        assertThat(caching.validate(chain, HOST).trusted()).isTrue();
        assertThat(caching.validate(chain, HOST).trusted()).isTrue();
        assertThat(caching.validate(chain, HOST.toUpperCase()).trusted()).isTrue();
        assertThat(delegateCalls).hasValue(1);
        assertThat(caching.estimatedSize()).isEqualTo(1);
    }

    @Test
    void differentHostOrChainIsADifferentEntry() {
        caching.validate(chain, HOST);
        CertificateVerdict other = caching.validate(chain, "other.example.test");
        caching.validate(List.of(leaf), HOST);
        assertThat(other).isInstanceOf(Untrusted.class);
        assertThat(((Untrusted) other).problem()).isEqualTo(CertificateProblem.HOSTNAME_MISMATCH);
        assertThat(caching.validate(chain, "other.example.test")).isEqualTo(other);
        assertThat(delegateCalls).hasValue(3);
    }

    @Test
    void trustedVerdictIsRecomputedOnceTheLeafExpires() {
        assertThat(caching.validate(chain, HOST).trusted()).isTrue();
        clock.set(leaf.getNotAfter().toInstant().minus(Duration.ofSeconds(1)));
        assertThat(caching.validate(chain, HOST).trusted()).isTrue();
        assertThat(delegateCalls).hasValue(1);

        clock.set(leaf.getNotAfter().toInstant().plus(Duration.ofSeconds(1)));
        CertificateVerdict verdict = caching.validate(chain, HOST);

        assertThat(verdict).isInstanceOf(Untrusted.class);
        assertThat(((Untrusted) verdict).problem()).isEqualTo(CertificateProblem.EXPIRED);
        assertThat(delegateCalls).hasValue(2);
        caching.validate(chain, HOST); // the EXPIRED verdict itself is cached
        assertThat(delegateCalls).hasValue(2);
    }

    @Test
    void notYetValidVerdictIsRecomputedOnceTheLeafBecomesValid() {
        X509Certificate future = TestPki.leaf().validity("2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z").build().cert();
        List<X509Certificate> futureChain = List.of(future, INTERMEDIATE.cert());
        assertThat(caching.validate(futureChain, HOST).trusted()).isFalse();
        clock.set(Instant.parse("2027-02-01T00:00:00Z"));
        assertThat(caching.validate(futureChain, HOST).trusted()).isTrue();
        assertThat(delegateCalls).hasValue(2);
    }

    @Test
    void emptyChainBypassesTheCache() {
        CertificateVerdict verdict = caching.validate(List.of(), HOST);
        assertThat(((Untrusted) verdict).problem()).isEqualTo(CertificateProblem.NO_CERTIFICATE);
        assertThat(delegateCalls).hasValue(0);
    }

    @Test
    void publicConstructorWrapsARealValidator() {
        CachingCertificateValidator plain = new CachingCertificateValidator(real, clock);
        assertThat(plain.validate(chain, HOST).trusted()).isTrue();
        assertThat(plain.validate(chain, HOST).trusted()).isTrue();
    }
}
