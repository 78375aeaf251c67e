package dev.loupe.core.trust;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CertificateStrengthTest {

    @ParameterizedTest(name = "{0} weak={1}")
    @CsvSource({
        "SHA1withRSA, true",
        "SHA1withECDSA, true",
        "SHA1withDSA, true",
        "SHAwithDSA, true",
        "SHA-1withRSA, true",
        "sha1WithRSAEncryption, true",
        "MD5withRSA, true",
        "MD2withRSA, true",
        "SHA256withRSA, false",
        "SHA224withRSA, false",
        "SHA384withECDSA, false",
        "SHA512withRSA, false",
        "SHA512/224withRSA, false",
        "SHA3-256withRSA, false",
        "SHA3-512withECDSA, false",
        "RSASSA-PSS, false",
        "Ed25519, false",
        "1.2.840.113549.1.1.11, false",
    })
    void classifiesSignatureAlgorithmNamesByTheirExactHash(String name, boolean weak) {
        assertThat(CertificateStrength.isWeakSignatureAlgorithm(name)).isEqualTo(weak);
    }

    @ParameterizedTest(name = "{0} weak={1}")
    @CsvSource({"SHA-1, true", "SHA1, true", "MD5, true", "SHA-256, false", "SHA-512/256, false", "SHA3-256, false"})
    void classifiesPssDigestNames(String digest, boolean weak) {
        assertThat(CertificateStrength.isWeakHash(digest)).isEqualTo(weak);
    }
}
