package dev.loupe.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyTypeTest {
    @Test
    void configNamesRoundTrip() {
        assertThat(KeyType.EC_P256.configName()).isEqualTo("ec-p256");
        assertThat(KeyType.RSA_3072.configName()).isEqualTo("rsa-3072");
        assertThat(KeyType.fromConfigName("ec-p256")).isEqualTo(KeyType.EC_P256);
        assertThat(KeyType.fromConfigName("rsa-3072")).isEqualTo(KeyType.RSA_3072);
    }

    @Test
    void unknownNameIsRejectedNamingValueAndAlternatives() {
        assertThatThrownBy(() -> KeyType.fromConfigName("rsa-1024"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'rsa-1024'")
                .hasMessageContaining("ec-p256, rsa-3072");
        assertThatThrownBy(() -> KeyType.fromConfigName(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
