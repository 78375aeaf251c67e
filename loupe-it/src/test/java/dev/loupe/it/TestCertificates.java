package dev.loupe.it;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates for the test origins: a trusted origin CA, and leaves that are good or bad in one way each. */
final class TestCertificates {
    /** A client TLS context trusting only the CA certificate in {@code caPem} (e.g. Loupe's). */
    static javax.net.ssl.SSLContext trusting(java.nio.file.Path caPem) throws Exception {
        var ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(caPem)) {
            ks.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        var ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    record Issued(X509Certificate certificate, PrivateKey key) {
        void writePem(Path certFile, Path keyFile) {
            write(certFile, certificate);
            // PKCS#8, written by hand: the form every OpenSSL version reads
            String b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded());
            try {
                Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private TestCertificates() {
    }

    static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Issued ca(String cn) {
        KeyPair kp = ecKeyPair();
        Instant now = Instant.now();
        return new Issued(build(new X500Name("CN=" + cn), kp.getPublic(), new X500Name("CN=" + cn), kp.getPrivate(),
                now.minusSeconds(86_400), now.plusSeconds(30L * 86_400), true), kp.getPrivate());
    }

    static Issued leaf(Issued issuer, String cn, Instant notBefore, Instant notAfter, String... dnsNamesAndIps) {
        KeyPair kp = ecKeyPair();
        X500Name issuerName = new X500Name(issuer.certificate().getSubjectX500Principal().getName());
        return new Issued(build(new X500Name("CN=" + cn), kp.getPublic(), issuerName, issuer.key(), notBefore,
                notAfter, false, dnsNamesAndIps), kp.getPrivate());
    }

    /** A client certificate (EKU clientAuth) for mTLS origins. */
    static Issued clientLeaf(Issued issuer, String cn) {
        KeyPair kp = ecKeyPair();
        X500Name issuerName = new X500Name(issuer.certificate().getSubjectX500Principal().getName());
        Instant now = Instant.now();
        return new Issued(build(new X500Name("CN=" + cn), kp.getPublic(), issuerName, issuer.key(),
                now.minusSeconds(3600), now.plusSeconds(86_400), false, true), kp.getPrivate());
    }

    static Issued selfSignedLeaf(String cn, String... names) {
        KeyPair kp = ecKeyPair();
        Instant now = Instant.now();
        return new Issued(build(new X500Name("CN=" + cn), kp.getPublic(), new X500Name("CN=" + cn), kp.getPrivate(),
                now.minusSeconds(3600), now.plusSeconds(86_400), false, names), kp.getPrivate());
    }

    private static X509Certificate build(X500Name subject, PublicKey key, X500Name issuer, PrivateKey issuerKey,
                                         Instant notBefore, Instant notAfter, boolean ca, String... names) {
        return build(subject, key, issuer, issuerKey, notBefore, notAfter, ca, false, names);
    }

    private static X509Certificate build(X500Name subject, PublicKey key, X500Name issuer, PrivateKey issuerKey,
                                         Instant notBefore, Instant notAfter, boolean ca, boolean client,
                                         String... names) {
        try {
            var utils = new JcaX509ExtensionUtils();
            var b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()),
                    Date.from(notBefore), Date.from(notAfter), subject, key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
            if (ca) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(client ? KeyPurposeId.id_kp_clientAuth : KeyPurposeId.id_kp_serverAuth));
                if (names.length > 0) {
                    GeneralName[] sans = new GeneralName[names.length];
                    for (int i = 0; i < names.length; i++) {
                        boolean ip = Character.isDigit(names[i].charAt(0)) || names[i].contains(":");
                        sans[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, names[i]);
                    }
                    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
                }
            }
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void write(Path file, Object pemObject) {
        try (StringWriter sw = new StringWriter(); JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(pemObject);
            w.flush();
            Files.writeString(file, sw.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
