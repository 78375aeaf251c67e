package dev.loupe.core.pki;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * One EC P-256 key pair shared by all forged leaf certificates. Generating a key per leaf would
 * dominate the cost of forging; with a shared key, forging a certificate is a single signature.
 * The key never leaves the process, so sharing it does not weaken anything a client can observe.
 */
public final class LeafKeyPair {
    private final KeyPair keyPair;

    private LeafKeyPair(KeyPair keyPair) {
        this.keyPair = keyPair;
    }

    public static LeafKeyPair generate() {
        return new LeafKeyPair(KeyType.EC_P256.generateKeyPair());
    }

    public PublicKey publicKey() {
        return keyPair.getPublic();
    }

    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }
}
