package dev.loupe.core.pki;

import static dev.loupe.core.pki.TestPki.CLOCK;
import static dev.loupe.core.pki.TestPki.NOW;
import static dev.loupe.core.pki.TestPki.dns;
import static dev.loupe.core.pki.TestPki.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CertificateForgeTest {
    private static final Instant CA_NOT_BEFORE = NOW.minus(Duration.ofHours(1));
    private static final Instant CA_NOT_AFTER = Instant.parse("2036-03-01T12:00:00Z");
    private static CertificateAuthority ca;

    private final CertificateForge forge = new CertificateForge(ca, CLOCK);

    @BeforeAll
    static void createCa() {
        ca = CertificateAuthority.generate(KeyType.EC_P256, "Forge Test CA", CLOCK);
    }

    private static X509Certificate shop(Instant notBefore, Instant notAfter) throws Exception {
        return TestPki.upstream("CN=shop.example,O=Shop Inc", List.of(dns("shop.example"), dns("*.shop.example"),
                ip("203.0.113.5"), ip("2001:db8::5")), notBefore, notAfter);
    }

    private static X509Certificate shop() throws Exception {
        return shop(NOW.minus(Duration.ofDays(10)), NOW.plus(Duration.ofDays(80)));
    }

    private static Set<String> sans(X509Certificate cert) throws Exception {
        Set<String> result = new TreeSet<>();
        for (List<?> san : cert.getSubjectAlternativeNames()) {
            result.add(san.get(0) + ":" + san.get(1));
        }
        return result;
    }

    @Test
    void mirrorsSansAndCommonNameExactly() throws Exception {
        X509Certificate upstream = shop();

        X509Certificate leaf = forge.forgeMirroring(upstream, null).certificate();

        assertThat(sans(leaf)).isEqualTo(sans(upstream)).containsExactlyInAnyOrder(
                "2:shop.example", "2:*.shop.example", "7:203.0.113.5", "7:2001:db8:0:0:0:0:0:5");
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=shop.example");
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
    }

    @Test
    void addsSniOnlyWhenUpstreamDoesNotCoverIt() throws Exception {
        X509Certificate upstream = shop();

        assertThat(sans(forge.forgeMirroring(upstream, "www.shop.example").certificate())).isEqualTo(sans(upstream));
        assertThat(sans(forge.forgeMirroring(upstream, "SHOP.example").certificate())).isEqualTo(sans(upstream));
        assertThat(sans(forge.forgeMirroring(upstream, "a.b.shop.example").certificate()))
                .containsAll(sans(upstream)).contains("2:a.b.shop.example").hasSize(5);
        assertThat(sans(forge.forgeMirroring(upstream, "other.example").certificate()))
                .containsAll(sans(upstream)).contains("2:other.example").hasSize(5);
    }

    @Test
    void validityIsClippedToTheUpstreamWhenItIsTighter() throws Exception {
        Instant notBefore = NOW.plus(Duration.ofDays(1));
        Instant notAfter = NOW.plus(Duration.ofDays(90));

        X509Certificate leaf = forge.forgeMirroring(shop(notBefore, notAfter), null).certificate();

        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(notBefore);
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(notAfter);
    }

    @Test
    void validityIsClippedToTheCaWhenItIsTighter() throws Exception {
        X509Certificate upstream = shop(Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2040-01-01T00:00:00Z"));

        X509Certificate leaf = forge.forgeMirroring(upstream, null).certificate();

        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(CA_NOT_BEFORE);
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(CA_NOT_AFTER);
    }

    @Test
    void leafHasTheSpecifiedExtensions() throws Exception {
        ForgedCertificate forged = forge.forgeMirroring(shop(), null);
        X509Certificate leaf = forged.certificate();

        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getKeyUsage()).startsWith(true, false, false, false, false, false, false);
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(leaf.getCriticalExtensionOIDs()).containsExactlyInAnyOrder(
                Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        assertThat(leaf.getSerialNumber().signum()).isPositive();
        assertThat(leaf.getSerialNumber().bitLength()).isLessThanOrEqualTo(127);
        assertThat(forge.forgeMirroring(shop(), null).certificate().getSerialNumber())
                .isNotEqualTo(leaf.getSerialNumber());
        assertThat(forged.chain()).containsExactly(leaf, ca.certificate());
        assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withECDSA");
    }

    @Test
    void keyIdentifiersLinkLeafToCa() throws Exception {
        X509Certificate leaf = forge.forgeMirroring(shop(), null).certificate();

        byte[] expectedSki = new JcaX509ExtensionUtils().createSubjectKeyIdentifier(leaf.getPublicKey()).getKeyIdentifier();
        assertThat(CertificateAuthorityTest.subjectKeyIdentifier(leaf)).isEqualTo(expectedSki);
        byte[] akiValue = leaf.getExtensionValue(Extension.authorityKeyIdentifier.getId());
        assertThat(akiValue).isNotNull();
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(akiValue).getOctets());
        assertThat(aki.getKeyIdentifierObject().getOctets()).isEqualTo(CertificateAuthorityTest.subjectKeyIdentifier(ca.certificate()));
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void chainValidatesWithTheCaAsOnlyTrustAnchor(KeyType type) throws Exception {
        CertificateAuthority authority = CertificateAuthority.generate(type, "PKIX CA", CLOCK);
        ForgedCertificate forged = new CertificateForge(authority, CLOCK).forgeMirroring(shop(), "shop.example");

        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(authority.certificate(), null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(NOW));
        var path = CertificateFactory.getInstance("X.509").generateCertPath(forged.chain().subList(0, 1));
        CertPathValidator.getInstance("PKIX").validate(path, params); // throws if invalid

        assertThat(forged.certificate().getSigAlgName()).isEqualTo(authority.signatureAlgorithm());
        assertKeyPairMatches(forged.certificate().getPublicKey(), forged.privateKey());
    }

    @Test
    void chainDoesNotValidateAgainstAnotherCa() throws Exception {
        CertificateAuthority other = CertificateAuthority.generate(KeyType.EC_P256, "Forge Test CA", CLOCK);
        ForgedCertificate forged = forge.forgeMirroring(shop(), null);

        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(other.certificate(), null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(NOW));
        var path = CertificateFactory.getInstance("X.509").generateCertPath(forged.chain().subList(0, 1));

        assertThatThrownBy(() -> CertPathValidator.getInstance("PKIX").validate(path, params))
                .isInstanceOf(java.security.cert.CertPathValidatorException.class);
    }

    @Test
    void leafKeyIsReusedUntilRotated() throws Exception {
        ForgedCertificate first = forge.forgeMirroring(shop(), null);
        ForgedCertificate second = forge.forge(CertificateNames.forHost("other.example"), NOW, NOW.plusSeconds(3600));

        forge.rotateLeafKey();
        ForgedCertificate third = forge.forgeMirroring(shop(), null);

        assertThat(second.certificate().getPublicKey()).isEqualTo(first.certificate().getPublicKey());
        assertThat(second.privateKey()).isEqualTo(first.privateKey());
        assertThat(third.certificate().getPublicKey()).isNotEqualTo(first.certificate().getPublicKey());
        assertKeyPairMatches(third.certificate().getPublicKey(), third.privateKey());
    }

    @Test
    void errorPageCertificateLastsADayEvenIfUpstreamExpired() throws Exception {
        X509Certificate expired = shop(Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2021-01-01T00:00:00Z"));
        CertificateNames names = CertificateNames.mirroring(expired);

        X509Certificate leaf = forge.forgeForErrorPage(names).certificate();

        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofHours(1)));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(24)));
        assertThat(sans(leaf)).isEqualTo(sans(expired));
        // Mirroring the expired validity is impossible: it lies entirely before the CA existed.
        assertThatThrownBy(() -> forge.forgeMirroring(expired, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not overlap");
    }

    @Test
    void errorPageCertificateIsClippedToTheCa() {
        Clock nearCaExpiry = Clock.fixed(CA_NOT_AFTER.minus(Duration.ofHours(2)), CLOCK.getZone());

        X509Certificate leaf = new CertificateForge(ca, nearCaExpiry)
                .forgeForErrorPage(CertificateNames.forHost("late.example")).certificate();

        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(CA_NOT_AFTER);
    }

    @Test
    void refusesEmptyNamesAndEmptyWindows() {
        CertificateNames noSans = new CertificateNames("label", new TreeSet<>(), new TreeSet<>());

        assertThatThrownBy(() -> forge.forge(noSans, NOW, NOW.plusSeconds(60)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names");
        assertThatThrownBy(() -> forge.forge(CertificateNames.forHost("a.example"), NOW, NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("validity");
    }

    @Test
    void subjectFallsBackToFirstSanAndOmitsOverlongNames() throws Exception {
        CertificateNames ipOnly = new CertificateNames(null, new TreeSet<>(), new TreeSet<>(Set.of("192.0.2.1")));
        String longName = "a".repeat(63) + ".example";
        CertificateNames tooLong = CertificateNames.forHost(longName);

        X509Certificate ipLeaf = forge.forge(ipOnly, NOW, NOW.plusSeconds(60)).certificate();
        X509Certificate longLeaf = forge.forge(tooLong, NOW, NOW.plusSeconds(60)).certificate();

        assertThat(ipLeaf.getSubjectX500Principal().getName()).isEqualTo("CN=192.0.2.1");
        assertThat(longLeaf.getSubjectX500Principal().getName()).isEmpty();
        assertThat(longLeaf.getCriticalExtensionOIDs()).contains(Extension.subjectAlternativeName.getId());
        assertThat(sans(longLeaf)).containsExactly("2:" + longName);
    }

    @Test
    void forgingIsSafeWhileTheLeafKeyRotates() throws Exception {
        X509Certificate upstream = shop();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ForgedCertificate>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                results.add(pool.submit(() -> forge.forgeMirroring(upstream, null)));
                if (i % 20 == 0) {
                    forge.rotateLeafKey();
                }
            }
            for (Future<ForgedCertificate> result : results) {
                ForgedCertificate forged = result.get();
                forged.certificate().verify(ca.certificate().getPublicKey());
                assertKeyPairMatches(forged.certificate().getPublicKey(), forged.privateKey());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void opensslAcceptsTheForgedLeaf(@TempDir Path dir) throws Exception {
        // openssl checks validity against the real time, so this test uses the system clock.
        CertificateAuthority realCa = CertificateAuthority.generate(KeyType.EC_P256, "OpenSSL Check CA", Clock.systemUTC());
        CertificateForge realForge = new CertificateForge(realCa, Clock.systemUTC());
        Instant now = Instant.now();
        X509Certificate leaf = realForge.forgeMirroring(shop(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))),
                "api.shop.example").certificate();
        Files.writeString(dir.resolve("ca.pem"), realCa.certificatePem());
        Files.writeString(dir.resolve("leaf.pem"), Pem.encode(leaf));

        String ok = TestPki.opensslOk(dir, "verify", "-purpose", "sslserver", "-verify_hostname", "api.shop.example",
                "-CAfile", "ca.pem", "leaf.pem");
        assertThat(ok).contains("leaf.pem: OK");
        assertThat(TestPki.opensslOk(dir, "verify", "-verify_ip", "2001:db8::5", "-CAfile", "ca.pem", "leaf.pem"))
                .contains("leaf.pem: OK");

        Files.writeString(dir.resolve("other.pem"),
                CertificateAuthority.generate(KeyType.EC_P256, "Other", Clock.systemUTC()).certificatePem());
        assertThat(TestPki.openssl(dir, "verify", "-CAfile", "other.pem", "leaf.pem").exitCode()).isNotZero();
    }

    private static void assertKeyPairMatches(PublicKey publicKey, PrivateKey privateKey) throws Exception {
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(privateKey);
        signer.update(new byte[] {1, 2, 3});
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(publicKey);
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signer.sign())).as("private key matches certificate").isTrue();
    }
}
