package dev.loupe.core.trust;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Immutable set of root certificates the gateway trusts for upstream servers. */
public final class TrustAnchors {

    /** Debian/Ubuntu/Alpine location; operators expect the OS store, not the JDK's, to be used. */
    static final Path DEBIAN_BUNDLE = Path.of("/etc/ssl/certs/ca-certificates.crt");

    // Bundles such as RHEL's tls-ca-bundle.pem interleave comments with the PEM blocks, so we
    // extract the blocks ourselves instead of relying on CertificateFactory's tolerance.
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----([A-Za-z0-9+/=\\s]+?)-----END (?:TRUSTED |X509 )?CERTIFICATE-----");

    private final Set<TrustAnchor> anchors;
    private final Set<String> encodedForms;

    private TrustAnchors(Collection<X509Certificate> certificates) {
        Set<TrustAnchor> set = new LinkedHashSet<>();
        Set<String> encoded = new HashSet<>();
        for (X509Certificate cert : certificates) {
            // Deduplicate by DER: the same root often appears in both system and extra bundles.
            if (encoded.add(Base64.getEncoder().encodeToString(CertificateFacts.encoded(cert)))) {
                set.add(new TrustAnchor(cert, null));
            }
        }
        this.anchors = Set.copyOf(set);
        this.encodedForms = Set.copyOf(encoded);
    }

    /**
     * Loads the system bundle (or the platform default when empty) plus operator-supplied bundles.
     *
     * @throws IllegalArgumentException naming the file when a bundle is missing, unreadable or empty
     */
    public static TrustAnchors load(Optional<Path> systemBundle, List<Path> extraBundles) {
        List<X509Certificate> certs = new ArrayList<>();
        Optional<Path> system = systemBundle.isPresent() ? systemBundle : defaultSystemBundle();
        if (system.isPresent()) {
            certs.addAll(readPemBundle(system.get()));
        } else {
            certs.addAll(jdkDefaultTrustStore());
        }
        for (Path extra : extraBundles) {
            certs.addAll(readPemBundle(extra));
        }
        return new TrustAnchors(certs);
    }

    /** Mainly for tests: trust exactly these certificates. */
    public static TrustAnchors of(Collection<X509Certificate> certificates) {
        return new TrustAnchors(List.copyOf(certificates));
    }

    /** The OS bundle if this machine has one; empty means "fall back to the JDK's cacerts". */
    public static Optional<Path> defaultSystemBundle() {
        return Files.isReadable(DEBIAN_BUNDLE) ? Optional.of(DEBIAN_BUNDLE) : Optional.empty();
    }

    public Set<TrustAnchor> anchors() {
        return anchors;
    }

    public int size() {
        return anchors.size();
    }

    /** True when exactly this certificate (same DER) is one of the anchors. */
    public boolean isAnchor(X509Certificate cert) {
        return encodedForms.contains(Base64.getEncoder().encodeToString(CertificateFacts.encoded(cert)));
    }

    /** Parses every CERTIFICATE block in a PEM file. */
    static List<X509Certificate> readPemBundle(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read certificate bundle " + path + ": " + e, e);
        }
        List<X509Certificate> certs = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(text);
        while (m.find()) {
            certs.add(parseBlock(path, m.group(1)));
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("certificate bundle " + path + " contains no PEM certificates");
        }
        return certs;
    }

    private static X509Certificate parseBlock(Path path, String base64) {
        try {
            byte[] der = Base64.getMimeDecoder().decode(base64);
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid certificate in bundle " + path + ": " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> jdkDefaultTrustStore() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    return Arrays.asList(x509.getAcceptedIssuers());
                }
            }
            throw new IllegalStateException("the JDK provides no X509TrustManager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the JDK default trust store", e);
        }
    }
}
