package dev.loupe.core.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM reading and writing. BouncyCastle only parses the ASN.1 here; keys and certificates are
 * materialised with the JDK's KeyFactory and CertificateFactory, so they work with the JDK's
 * Signature and TLS providers and no BouncyCastle provider is registered.
 */
final class Pem {
    private Pem() {
    }

    static String encode(X509Certificate certificate) {
        return write(certificate);
    }

    /** Unencrypted PKCS#8 ("BEGIN PRIVATE KEY"): the one form every tool reads for both EC and RSA. */
    static String encode(PrivateKey key) {
        try {
            return write(new JcaPKCS8Generator(key, null));
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException("cannot encode " + key.getAlgorithm() + " private key as PKCS#8", e);
        }
    }

    /** Every PEM object in the file, in order; unknown blocks such as "EC PARAMETERS" are kept too. */
    static List<Object> read(Path path) {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                objects.add(o);
            }
        } catch (NoSuchFileException e) {
            throw new CaStoreException("CA file " + path + " does not exist", e);
        } catch (IOException | RuntimeException e) {
            throw new CaStoreException("cannot read PEM file " + path + ": " + e.getMessage(), e);
        }
        return objects;
    }

    static X509Certificate firstCertificate(Path path, List<Object> objects) {
        for (Object o : objects) {
            if (o instanceof X509CertificateHolder holder) {
                try {
                    return Certificates.fromDer(holder.getEncoded());
                } catch (IOException | IllegalArgumentException e) {
                    throw new CaStoreException("certificate in " + path + " is invalid: " + e.getMessage(), e);
                }
            }
        }
        throw new CaStoreException("no \"BEGIN CERTIFICATE\" block found in " + path);
    }

    /** Accepts "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY" and "RSA PRIVATE KEY". */
    static PrivateKey firstPrivateKey(Path path, List<Object> objects) {
        for (Object o : objects) {
            PrivateKeyInfo info = switch (o) {
                case PrivateKeyInfo pkcs8 -> pkcs8;
                case PEMKeyPair traditional -> traditional.getPrivateKeyInfo();
                case PEMEncryptedKeyPair ignored -> throw encrypted(path);
                case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted(path);
                default -> null;
            };
            if (info != null) {
                return toPrivateKey(path, info);
            }
        }
        throw new CaStoreException("no private key (\"BEGIN PRIVATE KEY\", \"BEGIN EC PRIVATE KEY\" or"
                + " \"BEGIN RSA PRIVATE KEY\") found in " + path);
    }

    private static PrivateKey toPrivateKey(Path path, PrivateKeyInfo info) {
        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        String algorithm = PKCSObjectIdentifiers.rsaEncryption.equals(oid) ? "RSA"
                : X9ObjectIdentifiers.id_ecPublicKey.equals(oid) ? "EC" : null;
        if (algorithm == null) {
            throw new CaStoreException("private key in " + path + " uses algorithm " + oid
                    + "; only EC and RSA keys are supported");
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException | IOException e) {
            throw new CaStoreException("private key in " + path + " is invalid: " + e.getMessage(), e);
        }
    }

    private static CaStoreException encrypted(Path path) {
        return new CaStoreException("private key in " + path + " is encrypted; Loupe needs it unencrypted"
                + " (decrypt it with: openssl pkey -in " + path + " -out <new file>, then chmod 600)");
    }

    private static String write(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + object.getClass().getSimpleName() + " as PEM", e);
        }
        return out.toString();
    }
}
