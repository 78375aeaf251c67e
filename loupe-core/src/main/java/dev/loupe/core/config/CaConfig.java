package dev.loupe.core.config;

import dev.loupe.core.pki.KeyType;

/** How a new CA is generated on first start; an existing CA in the data directory is always kept. */
public record CaConfig(String keyType, String commonName, java.time.Duration leafKeyLifetime) {
    public CaConfig {
        // The one key pair shared by forged leaves is replaced this often (and the forged cache emptied).
        leafKeyLifetime = Check.positive("leaf-key-lifetime",
                Check.orDefault(leafKeyLifetime, java.time.Duration.ofHours(24)));
        keyType = Check.orDefault(keyType, KeyType.EC_P256.configName());
        commonName = Check.orDefault(commonName, "Loupe Inspection CA");
        try {
            KeyType.fromConfigName(keyType);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("key-type", keyType, e.getMessage());
        }
        if (commonName.isBlank()) {
            throw new ConfigException("common-name", commonName, "must not be blank");
        }
    }

    public static CaConfig defaults() {
        return new CaConfig(null, null, null);
    }

    public KeyType type() {
        return KeyType.fromConfigName(keyType);
    }
}
