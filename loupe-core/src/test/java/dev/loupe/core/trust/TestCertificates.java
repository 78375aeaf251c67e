package dev.loupe.core.trust;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds throw-away certificates with BouncyCastle; the JDK parses them, as in production. */
final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(1000);
    private static final Provider BC = new BouncyCastleProvider();

    private TestCertificates() {}

    static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(bits);
            return gen.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair ec(String curve) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec(curve));
            return gen.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair dsa(int bits) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("DSA");
            gen.initialize(bits);
            return gen.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate together with its private key, so it can sign others. */
    record Issued(X509Certificate cert, PrivateKey key) {}

    static Spec spec(String subjectDn, KeyPair keys) {
        return new Spec(subjectDn, keys);
    }

    /** Fluent description of one certificate; self-signed unless {@link #issuedBy} is called. */
    static final class Spec {
        private final X500Principal subject;
        private final KeyPair keys;
        private X500Principal issuer;
        private PrivateKey signingKey;
        private PublicKey issuerPublicKey;
        private Instant notBefore = Instant.parse("2026-01-01T00:00:00Z");
        private Instant notAfter = Instant.parse("2027-01-01T00:00:00Z");
        private boolean ca;
        private KeyPurposeId[] eku = {KeyPurposeId.id_kp_serverAuth};
        private final List<GeneralName> sans = new ArrayList<>();
        private String sigAlg;

        private Spec(String subjectDn, KeyPair keys) {
            this.subject = new X500Principal(subjectDn);
            this.keys = keys;
            this.issuer = subject;
            this.signingKey = keys.getPrivate();
            this.issuerPublicKey = keys.getPublic();
        }

        Spec issuedBy(Issued parent) {
            issuer = parent.cert().getSubjectX500Principal();
            signingKey = parent.key();
            issuerPublicKey = parent.cert().getPublicKey();
            return this;
        }

        /** Claims {@code parent} as issuer but signs with {@code forger} (a tampered certificate). */
        Spec forgedAs(Issued parent, PrivateKey forger) {
            issuedBy(parent);
            signingKey = forger;
            return this;
        }

        Spec validity(String from, String to) {
            notBefore = Instant.parse(from);
            notAfter = Instant.parse(to);
            return this;
        }

        Spec ca() {
            ca = true;
            eku = null;
            return this;
        }

        Spec caFlag() {
            ca = true;
            return this;
        }

        Spec eku(KeyPurposeId... purposes) {
            eku = purposes.length == 0 ? null : purposes;
            return this;
        }

        Spec dns(String... names) {
            for (String n : names) {
                sans.add(new GeneralName(GeneralName.dNSName, n));
            }
            return this;
        }

        Spec ip(String... addresses) {
            for (String a : addresses) {
                sans.add(new GeneralName(GeneralName.iPAddress, a));
            }
            return this;
        }

        Spec sigAlg(String algorithm) {
            sigAlg = algorithm;
            return this;
        }

        Issued build() {
            try {
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                        BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
                        subject, keys.getPublic());
                JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
                b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
                b.addExtension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(issuerPublicKey));
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(ca
                        ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                        : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                if (eku != null) {
                    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku));
                }
                if (!sans.isEmpty()) {
                    b.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)));
                }
                String alg = sigAlg != null ? sigAlg : defaultSigAlg(signingKey);
                JcaContentSignerBuilder signer = new JcaContentSignerBuilder(alg);
                if (alg.contains("MGF1")) {
                    signer.setProvider(BC); // the JDK has no "SHA256withRSAandMGF1" alias; not registered globally
                }
                X509Certificate cert = new JcaX509CertificateConverter()
                        .getCertificate(b.build(signer.build(signingKey)));
                return new Issued(cert, keys.getPrivate());
            } catch (Exception e) {
                throw new IllegalStateException("cannot build test certificate " + subject, e);
            }
        }

        private static String defaultSigAlg(PrivateKey key) {
            return switch (key.getAlgorithm()) {
                case "EC" -> "SHA256withECDSA";
                case "DSA" -> "SHA256withDSA";
                default -> "SHA256withRSA";
            };
        }
    }
}
