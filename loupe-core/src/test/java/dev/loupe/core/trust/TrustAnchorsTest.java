package dev.loupe.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustAnchorsTest {

    private static final Path SYSTEM = Path.of("/etc/ssl/certs/ca-certificates.crt");

    @TempDir
    Path dir;

    private static String pem(X509Certificate cert) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    @Test
    void loadsTheRealSystemBundle() {
        assumeTrue(Files.isReadable(SYSTEM), "no system CA bundle on this machine");
        TrustAnchors anchors = TrustAnchors.load(Optional.of(SYSTEM), List.of());
        assertThat(anchors.size()).isGreaterThan(50);
        assertThat(anchors.anchors()).hasSize(anchors.size());
    }

    @Test
    void defaultsToTheSystemBundleOrTheJdkTrustStore() {
        assertThat(TrustAnchors.defaultSystemBundle()).isEqualTo(
                Files.isReadable(SYSTEM) ? Optional.of(SYSTEM) : Optional.empty());
        assertThat(TrustAnchors.load(Optional.empty(), List.of()).size()).isGreaterThan(50);
    }

    @Test
    void extraBundleAddsAnchorsAndToleratesCommentsBetweenBlocks() throws Exception {
        Path extra = dir.resolve("extra.pem");
        Files.writeString(extra, "# Loupe test root\n" + pem(TestPki.ROOT.cert())
                + "subject=CN=Unknown Root\n" + pem(TestPki.OTHER_ROOT.cert()));
        Path system = dir.resolve("system.pem");
        Files.writeString(system, pem(TestPki.INTERMEDIATE.cert()) + pem(TestPki.ROOT.cert()));

        TrustAnchors anchors = TrustAnchors.load(Optional.of(system), List.of(extra));

        assertThat(anchors.size()).isEqualTo(3); // ROOT appears twice but is counted once
        assertThat(anchors.isAnchor(TestPki.OTHER_ROOT.cert())).isTrue();
        assertThat(anchors.isAnchor(TestPki.ROOT.cert())).isTrue();
        assertThat(anchors.isAnchor(TestPki.leaf().build().cert())).isFalse();
    }

    @Test
    void extraBundleOnTopOfTheRealSystemBundle() throws Exception {
        assumeTrue(Files.isReadable(SYSTEM), "no system CA bundle on this machine");
        Path extra = dir.resolve("extra.pem");
        Files.writeString(extra, pem(TestPki.ROOT.cert()));
        int systemOnly = TrustAnchors.load(Optional.of(SYSTEM), List.of()).size();
        TrustAnchors anchors = TrustAnchors.load(Optional.of(SYSTEM), List.of(extra));
        assertThat(anchors.size()).isEqualTo(systemOnly + 1);
        assertThat(anchors.isAnchor(TestPki.ROOT.cert())).isTrue();
    }

    @Test
    void missingBundleIsRejectedNamingThePath() {
        Path missing = dir.resolve("does-not-exist.pem");
        assertThatThrownBy(() -> TrustAnchors.load(Optional.empty(), List.of(missing)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void emptyOrCertificateFreeBundleIsRejectedNamingThePath() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        Path junk = Files.writeString(dir.resolve("junk.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        for (Path bad : List.of(empty, junk)) {
            assertThatThrownBy(() -> TrustAnchors.load(Optional.of(bad), List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad.toString());
        }
    }

    @Test
    void ofUsesExactlyTheGivenCertificates() {
        TrustAnchors anchors = TrustAnchors.of(List.of(TestPki.ROOT.cert(), TestPki.ROOT.cert()));
        assertThat(anchors.size()).isEqualTo(1);
        assertThat(anchors.anchors().iterator().next().getTrustedCert()).isEqualTo(TestPki.ROOT.cert());
    }
}
