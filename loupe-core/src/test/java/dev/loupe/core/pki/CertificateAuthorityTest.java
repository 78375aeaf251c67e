package dev.loupe.core.pki;

import static dev.loupe.core.pki.TestPki.CLOCK;
import static dev.loupe.core.pki.TestPki.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_CERT_SIGN = 5;
    private static final int CRL_SIGN = 6;

    @Test
    void generatesEcP256Ca() throws Exception {
        CertificateAuthority ca = CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK);

        ECPublicKey key = (ECPublicKey) ca.certificate().getPublicKey();
        assertThat(key.getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(ca.privateKey().getAlgorithm()).isEqualTo("EC");
        assertThat(ca.signatureAlgorithm()).isEqualTo("SHA256withECDSA");
        assertThat(ca.certificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertCaCertificate(ca);
    }

    @Test
    void generatesRsa3072Ca() throws Exception {
        CertificateAuthority ca = CertificateAuthority.generate(KeyType.RSA_3072, "Test CA", CLOCK);

        assertThat(((RSAPublicKey) ca.certificate().getPublicKey()).getModulus().bitLength()).isEqualTo(3072);
        assertThat(ca.signatureAlgorithm()).isEqualTo("SHA256withRSA");
        assertThat(ca.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
        assertCaCertificate(ca);
    }

    private static void assertCaCertificate(CertificateAuthority ca) throws Exception {
        X509Certificate cert = ca.certificate();
        cert.verify(cert.getPublicKey()); // self-signed
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=Test CA,O=Loupe");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
        assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofHours(1)));
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(Instant.parse("2036-03-01T12:00:00Z"));
        assertThat(cert.getSerialNumber().signum()).isPositive();

        assertThat(cert.getBasicConstraints()).isZero(); // CA:true, pathLen 0
        boolean[] usage = cert.getKeyUsage();
        assertThat(usage[KEY_CERT_SIGN]).isTrue();
        assertThat(usage[CRL_SIGN]).isTrue();
        assertThat(usage[DIGITAL_SIGNATURE]).isFalse();
        assertThat(cert.getCriticalExtensionOIDs())
                .contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());

        byte[] expectedSki = new JcaX509ExtensionUtils().createSubjectKeyIdentifier(cert.getPublicKey()).getKeyIdentifier();
        assertThat(subjectKeyIdentifier(cert)).isEqualTo(expectedSki);
        assertThat(cert.getNonCriticalExtensionOIDs()).contains(Extension.subjectKeyIdentifier.getId());
    }

    static byte[] subjectKeyIdentifier(X509Certificate cert) {
        byte[] value = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        assertThat(value).as("subjectKeyIdentifier of %s", cert.getSubjectX500Principal()).isNotNull();
        return ASN1OctetString.getInstance(ASN1OctetString.getInstance(value).getOctets()).getOctets();
    }

    @Test
    void encodingsAndFingerprintDescribeTheSameCertificate() throws Exception {
        CertificateAuthority ca = CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK);

        assertThat(ca.certificateDer()).isEqualTo(ca.certificate().getEncoded());
        assertThat(ca.certificatePem()).startsWith("-----BEGIN CERTIFICATE-----");
        X509Certificate fromPem = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(ca.certificatePem().getBytes()));
        assertThat(fromPem).isEqualTo(ca.certificate());

        byte[] digest = MessageDigest.getInstance("SHA-256").digest(ca.certificateDer());
        assertThat(ca.sha256Fingerprint())
                .isEqualTo(HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest))
                .matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    }

    @Test
    void ofAcceptsMatchingCaAndKey() {
        CertificateAuthority generated = CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK);

        CertificateAuthority wrapped = CertificateAuthority.of(generated.certificate(), generated.privateKey());

        assertThat(wrapped.sha256Fingerprint()).isEqualTo(generated.sha256Fingerprint());
        assertThat(wrapped.signatureAlgorithm()).isEqualTo("SHA256withECDSA");
    }

    @Test
    void ofRefusesKeyOfAnotherCa() throws Exception {
        CertificateAuthority ca = CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK);

        assertThatThrownBy(() -> CertificateAuthority.of(ca.certificate(), TestPki.otherKey()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not match")
                .hasMessageContaining("CN=Test CA");
    }

    @Test
    void ofRefusesKeyOfAnotherAlgorithm() {
        CertificateAuthority ec = CertificateAuthority.generate(KeyType.EC_P256, "EC CA", CLOCK);
        CertificateAuthority rsa = CertificateAuthority.generate(KeyType.RSA_3072, "RSA CA", CLOCK);

        assertThatThrownBy(() -> CertificateAuthority.of(ec.certificate(), rsa.privateKey()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("private key (RSA) does not match the public key (EC)");
    }

    @Test
    void ofRefusesCertificateWithoutCaFlag() throws Exception {
        KeyPair keys = TestPki.ecKeyPair();
        X509Certificate leaf = TestPki.certificate(keys, "CN=server.example", List.of(), NOW, NOW.plusSeconds(3600),
                false, null);

        assertThatThrownBy(() -> CertificateAuthority.of(leaf, keys.getPrivate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CN=server.example")
                .hasMessageContaining("is not a CA");
    }

    @Test
    void ofRefusesCaWhoseKeyUsageForbidsCertificateSigning() throws Exception {
        KeyPair keys = TestPki.ecKeyPair();
        X509Certificate cert = TestPki.certificate(keys, "CN=Odd CA", List.of(), NOW, NOW.plusSeconds(3600),
                true, KeyUsage.digitalSignature);

        assertThatThrownBy(() -> CertificateAuthority.of(cert, keys.getPrivate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lacks keyCertSign");
    }

    @Test
    void ofAcceptsCaWithoutKeyUsageExtension() throws Exception {
        KeyPair keys = TestPki.ecKeyPair();
        X509Certificate cert = TestPki.certificate(keys, "CN=Old CA", List.of(), NOW, NOW.plusSeconds(3600), true, null);

        assertThat(CertificateAuthority.of(cert, keys.getPrivate()).certificate()).isEqualTo(cert);
    }
}
