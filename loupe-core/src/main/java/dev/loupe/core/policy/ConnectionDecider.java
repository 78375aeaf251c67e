package dev.loupe.core.policy;

import dev.loupe.core.intel.Match;
import dev.loupe.core.intel.IndicatorLookup;
import java.util.Optional;

/**
 * What to do with a connection, decided in one place, in this order:
 * 1) threat intelligence on the host (SNI or CONNECT host): a bad domain is blocked without decrypting;
 * 2) threat intelligence on the destination address;
 * 3) the operator's block rules: a host a rule blocks stays blocked whatever an automatic bypass says;
 * 4) an automatic bypass in force for this host (pinned app, mTLS);
 * 5) the operator's other rules, first match wins, then the default.
 * The same order applies when the upstream certificate arrives and a rule asked to see it.
 */
public final class ConnectionDecider {
    private final DecryptPolicy policy;
    private final AutoBypass autoBypass;
    private final IndicatorLookup intel;

    public ConnectionDecider(DecryptPolicy policy, AutoBypass autoBypass, IndicatorLookup intel) {
        this.policy = policy;
        this.autoBypass = autoBypass;
        this.intel = intel;
    }

    public PolicyDecision decide(ConnectionFacts facts) {
        Optional<Match> bad = intel.matchHost(facts.host());
        if (bad.isEmpty()) {
            bad = intel.matchAddress(facts.destination());
        }
        if (bad.isPresent()) {
            return new PolicyDecision.Decided(blockFor(bad.get()));
        }
        PolicyDecision ruled = policy.decide(facts);
        if (ruled instanceof PolicyDecision.Decided(Verdict.Block b)) {
            return ruled;
        }
        if (facts.host() != null) {
            Optional<Verdict.Bypass> bypass = autoBypass.check(facts.client(), facts.host());
            if (bypass.isPresent()) {
                return new PolicyDecision.Decided(bypass.get());
            }
        }
        return ruled;
    }

    /**
     * What may never be bypassed automatically: a host an indicator lists, or one a block rule covers for the
     * connection that reported the rejection.
     */
    public static AutoBypass.Eligibility eligibility(DecryptPolicy policy, IndicatorLookup intel) {
        return facts -> {
            Optional<Match> listed = intel.matchHost(facts.host());
            if (listed.isPresent()) {
                return Optional.of(new AutoBypass.Refusal("indicator", blockFor(listed.get()).reason()));
            }
            if (policy.decide(facts) instanceof PolicyDecision.Decided(Verdict.Block b)) {
                return Optional.of(new AutoBypass.Refusal("block-rule", "rule " + b.rule() + " blocks it"));
            }
            return Optional.empty();
        };
    }

    public static Verdict.Block blockFor(Match match) {
        var indicator = match.indicator();
        return new Verdict.Block("threat-intel:" + indicator.source(),
                indicator.type().name().toLowerCase(java.util.Locale.ROOT) + " " + indicator.value()
                        + " listed by " + indicator.source() + " (risk " + indicator.risk() + ", matched on "
                        + match.matchedOn() + ")");
    }

    public AutoBypass autoBypass() {
        return autoBypass;
    }

    public IndicatorLookup intel() {
        return intel;
    }
}
