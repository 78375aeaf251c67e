package dev.loupe.core.pki;

import static dev.loupe.core.pki.TestPki.CLOCK;
import static dev.loupe.core.pki.TestPki.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaStoreTest {
    @TempDir
    Path dir;

    @Test
    void saveThenLoadReturnsTheSameCa() throws Exception {
        CaStore store = CaStore.in(dir);
        CertificateAuthority ca = CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK);
        assertThat(store.exists()).isFalse();

        store.save(ca);
        CertificateAuthority loaded = store.load();

        assertThat(store.exists()).isTrue();
        assertThat(store.certificatePath()).isEqualTo(dir.resolve("ca.crt"));
        assertThat(store.keyPath()).isEqualTo(dir.resolve("ca.key"));
        assertThat(loaded.certificate()).isEqualTo(ca.certificate());
        assertThat(loaded.privateKey().getEncoded()).isEqualTo(ca.privateKey().getEncoded());
        assertThat(Files.readString(store.keyPath())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(store.certificatePath())).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void rsaCaRoundTrips() {
        CaStore store = CaStore.in(dir);
        CertificateAuthority ca = CertificateAuthority.generate(KeyType.RSA_3072, "RSA CA", CLOCK);

        store.save(ca);

        assertThat(store.load().sha256Fingerprint()).isEqualTo(ca.sha256Fingerprint());
        assertThat(store.load().signatureAlgorithm()).isEqualTo("SHA256withRSA");
    }

    @Test
    void savedKeyIsPrivateAndCertificateWorldReadable() throws Exception {
        CaStore store = CaStore.in(dir);

        store.save(CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.keyPath()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.certificatePath())))
                .isEqualTo("rw-r--r--");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.crt", "ca.key");
        }
    }

    @Test
    void saveReplacesAnExistingCa() {
        CaStore store = CaStore.in(dir);
        store.save(CertificateAuthority.generate(KeyType.EC_P256, "Old CA", CLOCK));
        CertificateAuthority replacement = CertificateAuthority.generate(KeyType.EC_P256, "New CA", CLOCK);

        store.save(replacement);

        assertThat(store.load().sha256Fingerprint()).isEqualTo(replacement.sha256Fingerprint());
    }

    @Test
    void loadRefusesKeyReadableByOthers() throws Exception {
        CaStore store = CaStore.in(dir);
        store.save(CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK));
        Files.setPosixFilePermissions(store.keyPath(), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(store::load)
                .isInstanceOf(InsecureKeyFileException.class)
                .hasMessageContaining(store.keyPath().toString())
                .hasMessageContaining("rw-r--r--")
                .hasMessageContaining("chmod 600");
    }

    @Test
    void loadRefusesKeyWritableByGroup() throws Exception {
        CaStore store = CaStore.in(dir);
        store.save(CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK));
        Files.setPosixFilePermissions(store.keyPath(), PosixFilePermissions.fromString("rw--w----"));

        assertThatThrownBy(store::load).isInstanceOf(InsecureKeyFileException.class).hasMessageContaining("rw--w----");
    }

    @Test
    void loadOrCreateGeneratesOnceThenReusesTheCa() throws Exception {
        Path dataDir = dir.resolve("data");
        CaStore store = CaStore.in(dataDir);

        CertificateAuthority first = store.loadOrCreate(KeyType.EC_P256, CLOCK);
        CertificateAuthority second = store.loadOrCreate(KeyType.EC_P256, CLOCK);

        assertThat(second.sha256Fingerprint()).isEqualTo(first.sha256Fingerprint());
        assertThat(first.certificate().getSubjectX500Principal().getName())
                .isEqualTo("CN=" + CaStore.DEFAULT_COMMON_NAME + ",O=Loupe");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
    }

    @Test
    void loadOrCreateRefusesWhenOnlyTheCertificateExists() throws Exception {
        CaStore store = CaStore.in(dir);
        store.save(CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK));
        Files.delete(store.keyPath());

        assertThatThrownBy(() -> store.loadOrCreate(KeyType.EC_P256, CLOCK))
                .isInstanceOf(CaStoreException.class)
                .hasMessageContaining("CA file " + store.keyPath() + " is missing");
        assertThat(store.certificatePath()).exists(); // the trusted certificate was not overwritten
    }

    @Test
    void loadOrCreateRefusesWhenOnlyTheKeyExists() throws Exception {
        CaStore store = CaStore.in(dir);
        store.save(CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK));
        Files.delete(store.certificatePath());

        assertThatThrownBy(() -> store.loadOrCreate(KeyType.EC_P256, CLOCK))
                .isInstanceOf(CaStoreException.class)
                .hasMessageContaining("CA file " + store.certificatePath() + " is missing");
    }

    @Test
    void loadNamesTheMissingFile() {
        CaStore store = CaStore.in(dir);

        assertThatThrownBy(store::load)
                .isInstanceOf(CaStoreException.class)
                .hasMessageContaining(store.certificatePath().toString());
    }

    @Test
    void loadNamesAnUnparseableFile() throws Exception {
        CaStore store = CaStore.in(dir);
        store.save(CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK));
        Files.writeString(store.certificatePath(), "not a certificate\n");

        assertThatThrownBy(store::load)
                .isInstanceOf(CaStoreException.class)
                .hasMessageContaining("no \"BEGIN CERTIFICATE\" block found in " + store.certificatePath());
    }

    @Test
    void readPemRefusesNonCaCertificate() throws Exception {
        KeyPair keys = TestPki.ecKeyPair();
        X509Certificate leaf = TestPki.certificate(keys, "CN=server.example", List.of(), NOW, NOW.plusSeconds(60),
                false, null);
        Path pem = dir.resolve("leaf.pem");
        Files.writeString(pem, Pem.encode(leaf) + Pem.encode(keys.getPrivate()));

        assertThatThrownBy(() -> CaStore.readPem(pem, pem))
                .isInstanceOf(CaStoreException.class)
                .hasMessageContaining(pem.toString())
                .hasMessageContaining("'CN=server.example' is not a CA");
    }

    @Test
    void readPemRefusesMismatchedKey() throws Exception {
        CertificateAuthority ca = CertificateAuthority.generate(KeyType.EC_P256, "Test CA", CLOCK);
        Path cert = dir.resolve("ca.pem");
        Path key = dir.resolve("other.key");
        Files.writeString(cert, ca.certificatePem());
        Files.writeString(key, Pem.encode(TestPki.otherKey()));

        assertThatThrownBy(() -> CaStore.readPem(cert, key))
                .isInstanceOf(CaStoreException.class)
                .hasMessageContaining(key.toString())
                .hasMessageContaining("does not match");
    }
}
