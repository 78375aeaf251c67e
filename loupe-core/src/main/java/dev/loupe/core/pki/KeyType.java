package dev.loupe.core.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The key algorithms Loupe can generate a CA with. Names match the {@code ca.key-type} config value. */
public enum KeyType {
    /** NIST P-256: small, fast signatures, accepted by every current TLS client. */
    EC_P256("ec-p256", "SHA256withECDSA"),
    /** For clients or policies that still insist on an RSA root. 3072 bits gives ~128-bit security. */
    RSA_3072("rsa-3072", "SHA256withRSA");

    private final String configName;
    private final String signatureAlgorithm;

    KeyType(String configName, String signatureAlgorithm) {
        this.configName = configName;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    public String configName() {
        return configName;
    }

    /** The JCA signature algorithm certificates signed with a key of this type use. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    public static KeyType fromConfigName(String name) {
        for (KeyType type : values()) {
            if (type.configName.equals(name)) {
                return type;
            }
        }
        String accepted = Arrays.stream(values()).map(KeyType::configName).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown key type '" + name + "'; accepted values: " + accepted);
    }

    /** Uses the JDK providers only, so no BouncyCastle provider has to be installed in the JVM. */
    KeyPair generateKeyPair() {
        try {
            KeyPairGenerator generator;
            if (this == EC_P256) {
                generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(3072);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate a " + configName + " key pair", e);
        }
    }
}
