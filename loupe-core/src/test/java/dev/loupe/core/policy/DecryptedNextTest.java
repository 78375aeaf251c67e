package dev.loupe.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.trust.CertificateProblem;
import dev.loupe.core.trust.CertificateVerdict;
import org.junit.jupiter.api.Test;

class DecryptedNextTest {
    private static final PolicyDecision DECRYPT = new PolicyDecision.Decided(new Verdict.Decrypt("r", "why"));
    private static final CertificateVerdict.Untrusted EXPIRED =
            new CertificateVerdict.Untrusted(CertificateProblem.EXPIRED, "notAfter 2020");

    @Test
    void aDecryptVerdictInterceptsAndARuleWaitingForTheCertificateInterceptsUndecided() {
        assertThat(DecryptedNext.afterClientHello(DECRYPT, false, Action.BLOCK))
                .isEqualTo(new DecryptedNext.Intercept(new Verdict.Decrypt("r", "why")));
        var needs = DecryptedNext.afterClientHello(new PolicyDecision.NeedsCertificate("r"), true, Action.BLOCK);
        assertThat(needs).isEqualTo(new DecryptedNext.Intercept(null));
        assertThat(((DecryptedNext.Intercept) needs).certificateDecides()).isTrue();
    }

    @Test
    void echReplacesOnlyADecryptOutcome() {
        assertThat(DecryptedNext.afterClientHello(DECRYPT, true, Action.BYPASS))
                .isInstanceOfSatisfying(DecryptedNext.Bypass.class,
                        b -> assertThat(b.verdict().rule()).isEqualTo("encrypted-client-hello"));
        assertThat(DecryptedNext.afterClientHello(DECRYPT, true, Action.BLOCK))
                .isInstanceOf(DecryptedNext.Block.class);
        assertThat(DecryptedNext.afterClientHello(DECRYPT, true, Action.DECRYPT))
                .isInstanceOf(DecryptedNext.Intercept.class);
        var ruleBypass = new PolicyDecision.Decided(new Verdict.Bypass("bank", "category"));
        assertThat(DecryptedNext.afterClientHello(ruleBypass, true, Action.BLOCK))
                .isEqualTo(new DecryptedNext.Bypass(new Verdict.Bypass("bank", "category")));
    }

    @Test
    void anMtlsRequestWinsOverEverythingTheOriginHandshakeSays() {
        assertThat(DecryptedNext.afterOriginHandshake(true, EXPIRED, true, true, "h2"))
                .isInstanceOf(DecryptedNext.BypassMutualTls.class);
        assertThat(DecryptedNext.afterOriginFailure(true, true, "reset"))
                .isInstanceOf(DecryptedNext.BypassMutualTls.class);
    }

    @Test
    void aBadCertificateIsRefusedBeforeAnyRuleSeesIt() {
        assertThat(DecryptedNext.afterOriginHandshake(false, EXPIRED, true, false, "h2"))
                .isEqualTo(new DecryptedNext.RefuseCertificate(EXPIRED, false));
        assertThat(DecryptedNext.afterOriginHandshake(false, EXPIRED, false, true, null))
                .isEqualTo(new DecryptedNext.RefuseCertificate(EXPIRED, true));
    }

    @Test
    void aTrustedOriginIsForgedWithItsOwnAlpnOrAskedAboutFirst() {
        var trusted = CertificateVerdict.TRUSTED;
        assertThat(DecryptedNext.afterOriginHandshake(false, trusted, true, false, "h2"))
                .isInstanceOf(DecryptedNext.AskPolicyWithCertificate.class);
        assertThat(DecryptedNext.afterOriginHandshake(false, trusted, false, false, "h2"))
                .isEqualTo(new DecryptedNext.Forge("h2", null));
        // an origin that chose nothing (or something Loupe cannot inspect) is offered to the client as http/1.1
        assertThat(DecryptedNext.afterOriginHandshake(false, trusted, false, false, null))
                .isEqualTo(new DecryptedNext.Forge("http/1.1", null));
        assertThat(DecryptedNext.afterOriginHandshake(false, trusted, false, false, "grpc-exp"))
                .isEqualTo(new DecryptedNext.Forge("http/1.1", null));
    }

    @Test
    void theCertificateDecisionIsCarriedOutAndLoggedOnce() {
        assertThat(DecryptedNext.afterCertificateDecision(DECRYPT, "h2"))
                .isEqualTo(new DecryptedNext.Forge("h2", new Verdict.Decrypt("r", "why")));
        assertThat(DecryptedNext.afterCertificateDecision(
                new PolicyDecision.Decided(new Verdict.Bypass("r", "issuer")), "h2"))
                .isInstanceOf(DecryptedNext.Bypass.class);
        // still undecided cannot happen; it fails closed
        assertThat(DecryptedNext.afterCertificateDecision(new PolicyDecision.NeedsCertificate("r"), "h2"))
                .isInstanceOf(DecryptedNext.Block.class);
    }

    @Test
    void aFailedOriginHandshakeIsA504OnTimeoutElseA502() {
        assertThat(DecryptedNext.afterOriginFailure(false, true, "timed out"))
                .isEqualTo(new DecryptedNext.OriginHandshakeFailed(504, "timed out"));
        assertThat(DecryptedNext.afterOriginFailure(false, false, "reset"))
                .isEqualTo(new DecryptedNext.OriginHandshakeFailed(502, "reset"));
    }

    @Test
    void theClientsAlpnChoosesTheFraming() {
        assertThat(DecryptedNext.afterClientHandshake("h2")).isInstanceOf(DecryptedNext.Http2.class);
        assertThat(DecryptedNext.afterClientHandshake("http/1.1")).isInstanceOf(DecryptedNext.Http1.class);
        assertThat(DecryptedNext.afterClientHandshake(null)).isInstanceOf(DecryptedNext.Sniff.class);
    }

    @Test
    void aRequestLineIsHttpUnlessTheOriginSpokeFirstAndNonHttpIsRefusedOnlyWhenAServiceSaysSo() {
        assertThat(DecryptedNext.afterFirstBytes(true, false, "icap fail-closed"))
                .isInstanceOf(DecryptedNext.Http1.class);
        assertThat(DecryptedNext.afterFirstBytes(true, true, null))
                .isEqualTo(new DecryptedNext.RelayPlaintext(true));
        assertThat(DecryptedNext.afterFirstBytes(false, false, null))
                .isEqualTo(new DecryptedNext.RelayPlaintext(false));
        assertThat(DecryptedNext.afterFirstBytes(false, true, "icap fail-closed"))
                .isEqualTo(new DecryptedNext.RefuseNotHttp("icap fail-closed"));
    }
}
