package dev.loupe.core.trust;

import static dev.loupe.core.trust.TestPki.ANCHORS;
import static dev.loupe.core.trust.TestPki.CLOCK;
import static dev.loupe.core.trust.TestPki.HOST;
import static dev.loupe.core.trust.TestPki.INTERMEDIATE;
import static dev.loupe.core.trust.TestPki.LEAF_KEYS;
import static dev.loupe.core.trust.TestPki.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.trust.CertificateVerdict.Untrusted;
import dev.loupe.core.trust.TestCertificates.Issued;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

class UpstreamCertificateValidatorTest {

    private final UpstreamCertificateValidator validator = new UpstreamCertificateValidator(ANCHORS, CLOCK);
    private static final X509Certificate LEAF = TestPki.leaf().build().cert();

    private static Untrusted untrusted(CertificateVerdict verdict, CertificateProblem problem) {
        assertThat(verdict).isInstanceOf(Untrusted.class);
        Untrusted u = (Untrusted) verdict;
        assertThat(u.problem()).as(u.detail()).isEqualTo(problem);
        assertThat(u.trusted()).isFalse();
        return u;
    }

    @Test
    void trustsLeafWithIntermediate() {
        CertificateVerdict verdict = validator.validate(List.of(LEAF, INTERMEDIATE.cert()), HOST);
        assertThat(verdict).isEqualTo(CertificateVerdict.TRUSTED);
        assertThat(verdict.trusted()).isTrue();
    }

    @Test
    void trustsChainIncludingRootAndOutOfOrderChains() {
        assertThat(validator.validate(List.of(LEAF, INTERMEDIATE.cert(), ROOT.cert()), HOST).trusted()).isTrue();
        assertThat(validator.validate(List.of(LEAF, ROOT.cert(), INTERMEDIATE.cert()), HOST).trusted()).isTrue();
    }

    @Test
    void trustsIpAndCaseInsensitiveHost() {
        List<X509Certificate> chain = List.of(LEAF, INTERMEDIATE.cert());
        assertThat(validator.validate(chain, "127.0.0.1").trusted()).isTrue();
        assertThat(validator.validate(chain, "WWW.Example.TEST.").trusted()).isTrue();
    }

    @Test
    void trustsEcLeafAndLeafWithoutEkuOrWithAnyEku() {
        X509Certificate ec = TestCertificates.spec("CN=ec", TestCertificates.ec("secp256r1"))
                .issuedBy(INTERMEDIATE).dns(HOST).build().cert();
        X509Certificate noEku = TestPki.leaf().eku().build().cert();
        X509Certificate anyEku = TestPki.leaf().eku(KeyPurposeId.anyExtendedKeyUsage).build().cert();
        for (X509Certificate leaf : List.of(ec, noEku, anyEku)) {
            assertThat(validator.validate(List.of(leaf, INTERMEDIATE.cert()), HOST).trusted()).isTrue();
        }
    }

    @Test
    void emptyOrNullChainIsNoCertificate() {
        untrusted(validator.validate(List.of(), HOST), CertificateProblem.NO_CERTIFICATE);
        untrusted(validator.validate(null, HOST), CertificateProblem.NO_CERTIFICATE);
    }

    @Test
    void expiredLeafNamesBothDates() {
        X509Certificate leaf = TestPki.leaf().validity("2025-01-01T00:00:00Z", "2026-06-01T00:00:00Z").build().cert();
        Untrusted u = untrusted(validator.validate(List.of(leaf, INTERMEDIATE.cert()), HOST), CertificateProblem.EXPIRED);
        assertThat(u.detail()).isEqualTo("notAfter 2026-06-01T00:00:00Z is before now 2026-11-26T10:00:00Z");
    }

    @Test
    void notYetValidLeafNamesBothDates() {
        X509Certificate leaf = TestPki.leaf().validity("2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z").build().cert();
        Untrusted u = untrusted(validator.validate(List.of(leaf, INTERMEDIATE.cert()), HOST),
                CertificateProblem.NOT_YET_VALID);
        assertThat(u.detail()).isEqualTo("notBefore 2027-01-01T00:00:00Z is after now 2026-11-26T10:00:00Z");
    }

    @Test
    void expiredIntermediateIsReportedAsExpiredNamingTheIntermediate() {
        Issued oldIntermediate = TestCertificates.spec("CN=Old Intermediate", LEAF_KEYS).issuedBy(ROOT)
                .validity("2020-01-01T00:00:00Z", "2026-03-01T00:00:00Z").ca().build();
        X509Certificate leaf = TestCertificates.spec("CN=leaf", LEAF_KEYS).issuedBy(oldIntermediate).dns(HOST).build().cert();
        Untrusted u = untrusted(validator.validate(List.of(leaf, oldIntermediate.cert()), HOST),
                CertificateProblem.EXPIRED);
        assertThat(u.detail()).contains("CN=Old Intermediate", "notAfter 2026-03-01T00:00:00Z", "now 2026-11-26T10:00:00Z");
    }

    @Test
    void selfSignedLeaf() {
        X509Certificate self = TestCertificates.spec("CN=" + HOST, LEAF_KEYS).dns(HOST).build().cert();
        Untrusted u = untrusted(validator.validate(List.of(self), HOST), CertificateProblem.SELF_SIGNED);
        assertThat(u.detail()).contains("CN=" + HOST);
    }

    @Test
    void selfSignedLeafConfiguredAsAnchorIsTrustedEvenWithCaFlag() {
        X509Certificate self = TestCertificates.spec("CN=internal", LEAF_KEYS).caFlag().dns(HOST).build().cert();
        UpstreamCertificateValidator pinned = new UpstreamCertificateValidator(TrustAnchors.of(List.of(self)), CLOCK);
        assertThat(pinned.validate(List.of(self), HOST).trusted()).isTrue();
    }

    @Test
    void chainToUnknownRootIsUntrustedRoot() {
        X509Certificate leaf = TestCertificates.spec("CN=leaf", LEAF_KEYS).issuedBy(TestPki.OTHER_INTERMEDIATE)
                .dns(HOST).build().cert();
        Untrusted u = untrusted(validator.validate(
                List.of(leaf, TestPki.OTHER_INTERMEDIATE.cert(), TestPki.OTHER_ROOT.cert()), HOST),
                CertificateProblem.UNTRUSTED_ROOT);
        assertThat(u.detail()).contains("CN=Unknown Root");
    }

    @Test
    void leafWithoutItsIntermediateIsIncompleteChain() {
        Untrusted u = untrusted(validator.validate(List.of(LEAF), HOST), CertificateProblem.INCOMPLETE_CHAIN);
        assertThat(u.detail()).contains("CN=Loupe Test Intermediate", "CN=" + HOST);
    }

    @Test
    void wrongHostListsTheCertificateNames() {
        Untrusted u = untrusted(validator.validate(List.of(LEAF, INTERMEDIATE.cert()), "other.example.test"),
                CertificateProblem.HOSTNAME_MISMATCH);
        assertThat(u.detail()).isEqualTo("host 'other.example.test' not in [DNS:www.example.test, IP:127.0.0.1]");
    }

    @Test
    void rsa1024LeafIsWeakKey() {
        X509Certificate leaf = TestCertificates.spec("CN=weak.example.test", TestCertificates.rsa(1024))
                .issuedBy(INTERMEDIATE).dns(HOST).build().cert();
        Untrusted u = untrusted(validator.validate(List.of(leaf, INTERMEDIATE.cert()), HOST), CertificateProblem.WEAK_KEY);
        assertThat(u.detail()).isEqualTo("RSA 1024-bit key in certificate CN=weak.example.test");
    }

    @Test
    void dsaLeafIsWeakKeyWhateverItsSize() {
        X509Certificate leaf = TestCertificates.spec("CN=dsa", TestCertificates.dsa(2048))
                .issuedBy(INTERMEDIATE).dns(HOST).build().cert();
        Untrusted u = untrusted(validator.validate(List.of(leaf, INTERMEDIATE.cert()), HOST), CertificateProblem.WEAK_KEY);
        assertThat(u.detail()).startsWith("DSA 2048-bit key");
    }

    @Test
    void weakKeyOfATrustAnchorIsNotHeldAgainstTheChain() {
        Issued smallRoot = TestCertificates.spec("CN=Small Root", TestCertificates.rsa(1024)).ca()
                .validity("2020-01-01T00:00:00Z", "2040-01-01T00:00:00Z").build();
        X509Certificate leaf = TestCertificates.spec("CN=leaf", LEAF_KEYS).issuedBy(smallRoot).dns(HOST).build().cert();
        UpstreamCertificateValidator v = new UpstreamCertificateValidator(TrustAnchors.of(List.of(smallRoot.cert())), CLOCK);
        assertThat(v.validate(List.of(leaf, smallRoot.cert()), HOST).trusted()).isTrue();
    }

    @Test
    void sha1SignedLeafIsWeakSignature() {
        X509Certificate leaf = TestPki.leaf().sigAlg("SHA1withRSA").build().cert();
        Untrusted u = untrusted(validator.validate(List.of(leaf, INTERMEDIATE.cert()), HOST),
                CertificateProblem.WEAK_SIGNATURE);
        assertThat(u.detail()).isEqualTo("SHA1withRSA signature on certificate CN=" + HOST);
    }

    @Test
    void rsaPssSignaturesAreJudgedByTheirDigestParameter() {
        X509Certificate pss256 = TestPki.leaf().sigAlg("SHA256withRSAandMGF1").build().cert();
        X509Certificate pss1 = TestPki.leaf().sigAlg("SHA1withRSAandMGF1").build().cert();
        assertThat(pss256.getSigAlgName()).isEqualTo("RSASSA-PSS");
        assertThat(validator.validate(List.of(pss256, INTERMEDIATE.cert()), HOST).trusted()).isTrue();
        untrusted(validator.validate(List.of(pss1, INTERMEDIATE.cert()), HOST), CertificateProblem.WEAK_SIGNATURE);
    }

    @Test
    void sha1SelfSignatureOfARootIsIgnored() {
        KeyPair rootKeys = TestCertificates.rsa(2048);
        Issued sha1Root = TestCertificates.spec("CN=SHA1 Root", rootKeys).ca().sigAlg("SHA1withRSA")
                .validity("2020-01-01T00:00:00Z", "2040-01-01T00:00:00Z").build();
        X509Certificate leaf = TestCertificates.spec("CN=leaf", LEAF_KEYS).issuedBy(sha1Root).dns(HOST).build().cert();
        UpstreamCertificateValidator v = new UpstreamCertificateValidator(TrustAnchors.of(List.of(sha1Root.cert())), CLOCK);
        assertThat(v.validate(List.of(leaf, sha1Root.cert()), HOST).trusted()).isTrue();
    }

    @Test
    void clientAuthOnlyLeafIsNotForServerAuth() {
        X509Certificate leaf = TestPki.leaf().eku(KeyPurposeId.id_kp_clientAuth).build().cert();
        Untrusted u = untrusted(validator.validate(List.of(leaf, INTERMEDIATE.cert()), HOST),
                CertificateProblem.NOT_FOR_SERVER_AUTH);
        assertThat(u.detail()).contains("1.3.6.1.5.5.7.3.2", "serverAuth");
    }

    @Test
    void caCertificateAsLeafIsNotForServerAuth() {
        X509Certificate leaf = TestPki.leaf().caFlag().build().cert();
        Untrusted u = untrusted(validator.validate(List.of(leaf, INTERMEDIATE.cert()), HOST),
                CertificateProblem.NOT_FOR_SERVER_AUTH);
        assertThat(u.detail()).contains("CA certificate");
    }

    @Test
    void leafSignedByTheWrongKeyIsInvalidChain() {
        KeyPair forger = TestCertificates.rsa(2048);
        X509Certificate tampered = TestCertificates.spec("CN=" + HOST, LEAF_KEYS)
                .forgedAs(INTERMEDIATE, forger.getPrivate()).dns(HOST).build().cert();
        Untrusted u = untrusted(validator.validate(List.of(tampered, INTERMEDIATE.cert()), HOST),
                CertificateProblem.INVALID_CHAIN);
        assertThat(u.detail()).contains("does not verify", "CN=Loupe Test Intermediate");
    }

    @Test
    void firstProblemInCheckOrderWins() {
        X509Certificate expiredWeak = TestCertificates.spec("CN=x", TestCertificates.rsa(1024)).issuedBy(INTERMEDIATE)
                .validity("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z").build().cert();
        untrusted(validator.validate(List.of(expiredWeak, INTERMEDIATE.cert()), "nope.test"), CertificateProblem.WEAK_KEY);
        X509Certificate expired = TestPki.leaf().validity("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z").build().cert();
        untrusted(validator.validate(List.of(expired), "nope.test"), CertificateProblem.EXPIRED);
    }

    @Test
    void problemCodesAndDescriptions() {
        assertThat(CertificateProblem.HOSTNAME_MISMATCH.code()).isEqualTo("hostname-mismatch");
        assertThat(CertificateProblem.NOT_FOR_SERVER_AUTH.code()).isEqualTo("not-for-server-auth");
        assertThat(CertificateProblem.EXPIRED.description()).isEqualTo("the certificate has expired");
        assertThat(CertificateProblem.HOSTNAME_MISMATCH.description())
                .isEqualTo("the certificate does not match the host name");
        for (CertificateProblem p : CertificateProblem.values()) {
            assertThat(p.code()).matches("[a-z]+(-[a-z]+)*");
            assertThat(p.description()).isNotBlank();
        }
    }
}
