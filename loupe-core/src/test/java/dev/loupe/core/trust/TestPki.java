package dev.loupe.core.trust;

import dev.loupe.core.trust.TestCertificates.Issued;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** A shared root -> intermediate hierarchy; RSA key generation is slow, so keys are reused. */
final class TestPki {

    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String HOST = "www.example.test";

    /** Reused for every leaf: keys do not matter for most tests, only the certificates do. */
    static final KeyPair LEAF_KEYS = TestCertificates.rsa(2048);

    static final Issued ROOT = TestCertificates.spec("CN=Loupe Test Root,O=Loupe", TestCertificates.rsa(2048))
            .validity("2020-01-01T00:00:00Z", "2040-01-01T00:00:00Z").ca().build();
    static final Issued INTERMEDIATE = TestCertificates.spec("CN=Loupe Test Intermediate,O=Loupe", TestCertificates.rsa(2048))
            .issuedBy(ROOT).validity("2024-01-01T00:00:00Z", "2030-01-01T00:00:00Z").ca().build();

    static final Issued OTHER_ROOT = TestCertificates.spec("CN=Unknown Root,O=Elsewhere", TestCertificates.rsa(2048))
            .validity("2020-01-01T00:00:00Z", "2040-01-01T00:00:00Z").ca().build();
    static final Issued OTHER_INTERMEDIATE = TestCertificates.spec("CN=Unknown Intermediate,O=Elsewhere", LEAF_KEYS)
            .issuedBy(OTHER_ROOT).validity("2024-01-01T00:00:00Z", "2030-01-01T00:00:00Z").ca().build();

    static final TrustAnchors ANCHORS = TrustAnchors.of(List.of(ROOT.cert()));

    private TestPki() {}

    /** A server certificate for {@link #HOST} and 127.0.0.1 issued by the intermediate. */
    static TestCertificates.Spec leaf() {
        return TestCertificates.spec("CN=" + HOST, LEAF_KEYS).issuedBy(INTERMEDIATE).dns(HOST).ip("127.0.0.1");
    }
}
