package dev.loupe.core.pki;

import static dev.loupe.core.pki.TestPki.opensslOk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads CAs produced by OpenSSL, the way operators bring their own CA. */
class CaStoreOpenSslTest {
    @TempDir
    Path dir;

    @BeforeEach
    void writeOpenSslConfig() throws Exception {
        // An explicit config, so the test does not depend on the distribution's openssl.cnf defaults.
        Files.writeString(dir.resolve("ca.cnf"), """
                [req]
                distinguished_name = dn
                prompt = no
                x509_extensions = v3_ca
                [dn]
                CN = OpenSSL Test CA
                [v3_ca]
                basicConstraints = critical,CA:TRUE,pathlen:0
                keyUsage = critical,keyCertSign,cRLSign
                subjectKeyIdentifier = hash
                """);
    }

    private void selfSign(String key, String cert) throws Exception {
        opensslOk(dir, "req", "-x509", "-config", "ca.cnf", "-key", key, "-out", cert, "-days", "30", "-sha256");
    }

    @Test
    void readsTraditionalEcPrivateKey() throws Exception {
        opensslOk(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key");
        selfSign("ec.key", "ca.pem");
        assertThat(Files.readString(dir.resolve("ec.key"))).contains("-----BEGIN EC PRIVATE KEY-----");

        CertificateAuthority ca = CaStore.readPem(dir.resolve("ca.pem"), dir.resolve("ec.key"));

        assertThat(ca.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=OpenSSL Test CA");
        assertThat(ca.signatureAlgorithm()).isEqualTo("SHA256withECDSA");
    }

    @Test
    void readsPkcs8Key() throws Exception {
        opensslOk(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "p8.key");
        selfSign("p8.key", "ca.pem");
        assertThat(Files.readString(dir.resolve("p8.key"))).startsWith("-----BEGIN PRIVATE KEY-----");

        CertificateAuthority ca = CaStore.readPem(dir.resolve("ca.pem"), dir.resolve("p8.key"));

        assertThat(ca.privateKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void readsTraditionalRsaKeyFromTheSameFileAsTheCertificate() throws Exception {
        opensslOk(dir, "genrsa", "-traditional", "-out", "rsa.key", "2048");
        selfSign("rsa.key", "ca.pem");
        Path combined = dir.resolve("combined.pem");
        Files.writeString(combined, Files.readString(dir.resolve("ca.pem")) + Files.readString(dir.resolve("rsa.key")));
        assertThat(Files.readString(combined)).contains("-----BEGIN RSA PRIVATE KEY-----");

        CertificateAuthority ca = CaStore.readPem(combined, combined);

        assertThat(ca.signatureAlgorithm()).isEqualTo("SHA256withRSA");
    }

    @Test
    void readsPkcs12() throws Exception {
        opensslOk(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key");
        selfSign("ec.key", "ca.pem");
        opensslOk(dir, "pkcs12", "-export", "-inkey", "ec.key", "-in", "ca.pem", "-out", "ca.p12",
                "-passout", "pass:secret");

        CertificateAuthority ca = CaStore.readPkcs12(dir.resolve("ca.p12"), "secret".toCharArray());
        CertificateAuthority fromPem = CaStore.readPem(dir.resolve("ca.pem"), dir.resolve("ec.key"));

        assertThat(ca.sha256Fingerprint()).isEqualTo(fromPem.sha256Fingerprint());
        // Compare the secret scalar: the two encodings differ in optional fields (curve parameters).
        assertThat(((ECPrivateKey) ca.privateKey()).getS()).isEqualTo(((ECPrivateKey) fromPem.privateKey()).getS());
    }

    @Test
    void pkcs12WithWrongPasswordNamesTheFile() throws Exception {
        opensslOk(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key");
        selfSign("ec.key", "ca.pem");
        opensslOk(dir, "pkcs12", "-export", "-inkey", "ec.key", "-in", "ca.pem", "-out", "ca.p12",
                "-passout", "pass:secret");

        assertThatThrownBy(() -> CaStore.readPkcs12(dir.resolve("ca.p12"), "wrong".toCharArray()))
                .isInstanceOf(CaStoreException.class)
                .hasMessageContaining(dir.resolve("ca.p12").toString());
    }

    @Test
    void encryptedKeyIsRefusedWithAHint() throws Exception {
        opensslOk(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-aes256", "-pass", "pass:secret", "-out", "enc.key");
        opensslOk(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "plain.key");
        selfSign("plain.key", "ca.pem");

        assertThatThrownBy(() -> CaStore.readPem(dir.resolve("ca.pem"), dir.resolve("enc.key")))
                .isInstanceOf(CaStoreException.class)
                .hasMessageContaining(dir.resolve("enc.key") + " is encrypted");
    }

    @Test
    void certificateWithoutCaFlagIsRefused() throws Exception {
        opensslOk(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key");
        Files.writeString(dir.resolve("leaf.cnf"), Files.readString(dir.resolve("ca.cnf"))
                .replace("CA:TRUE,pathlen:0", "CA:FALSE").replace("keyCertSign,cRLSign", "digitalSignature"));
        opensslOk(dir, "req", "-x509", "-config", "leaf.cnf", "-key", "ec.key", "-out", "leaf.pem", "-days", "1");

        assertThatThrownBy(() -> CaStore.readPem(dir.resolve("leaf.pem"), dir.resolve("ec.key")))
                .isInstanceOf(CaStoreException.class)
                .hasMessageContaining("is not a CA");
    }
}
