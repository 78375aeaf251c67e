package dev.loupe.core.pki;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA on disk: {@code ca.crt} (PEM certificate) and {@code ca.key} (unencrypted PKCS#8 PEM) in
 * Loupe's data directory. The key must be private to its owner; see {@link InsecureKeyFileException}.
 */
public final class CaStore {
    /** Used when the data directory has no CA yet and the caller did not name one. */
    public static final String DEFAULT_COMMON_NAME = "Loupe Inspection CA";

    private static final Logger log = LoggerFactory.getLogger(CaStore.class);
    private static final Set<PosixFilePermission> KEY_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> CERT_PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS_ACCESS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private final Path dataDir;
    private final Path certificatePath;
    private final Path keyPath;

    private CaStore(Path dataDir) {
        this.dataDir = dataDir;
        this.certificatePath = dataDir.resolve("ca.crt");
        this.keyPath = dataDir.resolve("ca.key");
    }

    public static CaStore in(Path dataDir) {
        return new CaStore(dataDir);
    }

    public Path certificatePath() {
        return certificatePath;
    }

    public Path keyPath() {
        return keyPath;
    }

    /** True when both ca.crt and ca.key are present. */
    public boolean exists() {
        return Files.exists(certificatePath) && Files.exists(keyPath);
    }

    public CertificateAuthority load() {
        requirePresent(certificatePath);
        requirePresent(keyPath);
        requirePrivate(keyPath);
        return readPem(certificatePath, keyPath);
    }

    public CertificateAuthority loadOrCreate(KeyType type, Clock clock) {
        return loadOrCreate(type, DEFAULT_COMMON_NAME, clock);
    }

    /** Loads the CA, or generates and saves one on first start; never replaces half a CA silently. */
    public CertificateAuthority loadOrCreate(KeyType type, String commonName, Clock clock) {
        createDataDir();
        boolean cert = Files.exists(certificatePath);
        boolean key = Files.exists(keyPath);
        if (cert && key) {
            return load();
        }
        if (cert || key) {
            // Generating a new pair here would orphan the CA clients already trust: make the operator decide.
            Path missing = cert ? keyPath : certificatePath;
            throw new CaStoreException("CA file " + missing + " is missing but " + (cert ? certificatePath : keyPath)
                    + " exists; restore the missing file, or remove both to generate a new CA");
        }
        CertificateAuthority ca = CertificateAuthority.generate(type, commonName, clock);
        save(ca);
        log.info("Generated a new {} CA in {} (SHA-256 fingerprint {}); clients must trust {}",
                type.configName(), dataDir, ca.sha256Fingerprint(), certificatePath);
        return ca;
    }

    /**
     * Writes the key first, each file via a temp file and an atomic rename, so a crash never leaves
     * a truncated file. The key's temp file is created 0600 so the key is never readable by others.
     */
    public void save(CertificateAuthority ca) {
        createDataDir();
        writeAtomically(keyPath, Pem.encode(ca.privateKey()), KEY_PERMISSIONS);
        writeAtomically(certificatePath, ca.certificatePem(), CERT_PERMISSIONS);
    }

    /** Reads a CA from PEM files; {@code keyPem} may be the same file as {@code certPem}. */
    public static CertificateAuthority readPem(Path certPem, Path keyPem) {
        List<Object> certObjects = Pem.read(certPem);
        X509Certificate certificate = Pem.firstCertificate(certPem, certObjects);
        List<Object> keyObjects = keyPem.equals(certPem) ? certObjects : Pem.read(keyPem);
        PrivateKey key = Pem.firstPrivateKey(keyPem, keyObjects);
        try {
            return CertificateAuthority.of(certificate, key);
        } catch (IllegalArgumentException e) {
            throw new CaStoreException("cannot use " + certPem + " and " + keyPem + " as CA: " + e.getMessage(), e);
        }
    }

    /** Reads the first key entry of a PKCS#12 file (e.g. exported from Windows or macOS keychains). */
    public static CertificateAuthority readPkcs12(Path p12, char[] password) {
        KeyStore store = loadPkcs12(p12, password);
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                Key key = store.getKey(alias, password);
                Certificate cert = store.getCertificate(alias);
                if (key instanceof PrivateKey privateKey && cert instanceof X509Certificate x509) {
                    return CertificateAuthority.of(x509, privateKey);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new CaStoreException("cannot read the key in PKCS#12 file " + p12 + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CaStoreException("cannot use PKCS#12 file " + p12 + " as CA: " + e.getMessage(), e);
        }
        throw new CaStoreException("PKCS#12 file " + p12 + " contains no private key with a certificate");
    }

    /**
     * Writes the CA with its private key as PKCS#12 (AES-256, PBKDF2: the JDK's default since 8u301), readable
     * by its owner only: the way to carry one CA to every node of a cluster ({@link #readPkcs12} reads it back,
     * and so do {@code openssl pkcs12} and the OS keychains). Refuses to overwrite an existing file.
     */
    public static void writePkcs12(CertificateAuthority ca, Path p12, char[] password) {
        if (password.length == 0) {
            throw new CaStoreException("refusing to write the CA key to " + p12 + " without a password");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("loupe-ca", ca.privateKey(), password, new Certificate[] {ca.certificate()});
            var attributes = supportsPosix(existingAncestor(p12.toAbsolutePath()))
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(KEY_PERMISSIONS)}
                    : new FileAttribute<?>[0];
            Files.createFile(p12, attributes);
            try (var out = Files.newOutputStream(p12)) {
                store.store(out, password);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CaStoreException("refusing to overwrite " + p12, e);
        } catch (IOException | GeneralSecurityException e) {
            throw new CaStoreException("cannot write PKCS#12 file " + p12 + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore loadPkcs12(Path p12, char[] password) {
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (NoSuchFileException e) {
            throw new CaStoreException("PKCS#12 file " + p12 + " does not exist", e);
        } catch (IOException | GeneralSecurityException e) {
            // A wrong password also lands here (as an IOException from KeyStore.load).
            throw new CaStoreException("cannot read PKCS#12 file " + p12 + " (wrong password?): " + e.getMessage(), e);
        }
    }

    private static void requirePresent(Path path) {
        if (!Files.exists(path)) {
            throw new CaStoreException("CA file " + path + " does not exist");
        }
    }

    private static void requirePrivate(Path key) {
        // Non-POSIX file systems (Windows) have ACLs instead; there the operator's ACLs are trusted.
        if (supportsPosix(key)) {
            Set<PosixFilePermission> actual = permissions(key);
            if (!Collections.disjoint(actual, GROUP_OR_OTHERS_ACCESS)) {
                throw new InsecureKeyFileException(key, PosixFilePermissions.toString(actual));
            }
        }
    }

    private static Set<PosixFilePermission> permissions(Path path) {
        try {
            return Files.getPosixFilePermissions(path);
        } catch (IOException e) {
            throw new CaStoreException("cannot read the permissions of " + path + ": " + e.getMessage(), e);
        }
    }

    private void createDataDir() {
        if (Files.isDirectory(dataDir)) {
            return;
        }
        try {
            if (supportsPosix(existingAncestor(dataDir))) {
                Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(DIR_PERMISSIONS));
                // The umask may have removed bits from the attribute; set the exact mode explicitly.
                Files.setPosixFilePermissions(dataDir, DIR_PERMISSIONS);
            } else {
                Files.createDirectories(dataDir);
            }
        } catch (IOException e) {
            throw new CaStoreException("cannot create data directory " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private void writeAtomically(Path target, String pem, Set<PosixFilePermission> mode) {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temp);
            boolean posix = supportsPosix(dataDir);
            FileAttribute<?>[] attributes = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)}
                    : new FileAttribute<?>[0];
            Files.createFile(temp, attributes);
            if (posix) {
                Files.setPosixFilePermissions(temp, mode);
            }
            Files.writeString(temp, pem, StandardCharsets.US_ASCII);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new CaStoreException("cannot write " + target + ": temp file " + temp + " appeared concurrently", e);
        } catch (IOException e) {
            throw new CaStoreException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static boolean supportsPosix(Path path) {
        try {
            return Files.getFileStore(path).supportsFileAttributeView(PosixFileAttributeView.class);
        } catch (IOException e) {
            return false;
        }
    }

    private static Path existingAncestor(Path path) {
        Path p = path.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p;
    }
}
