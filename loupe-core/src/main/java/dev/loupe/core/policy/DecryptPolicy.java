package dev.loupe.core.policy;

import dev.loupe.core.config.ConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Ordered rules, first match wins, then the default action. Immutable and thread-safe: every field
 * is final and never changes after construction, so event loops can share one instance and a reload
 * swaps in a new one.
 *
 * <p>{@link #decide} is called at most twice per connection: once when the ClientHello (or CONNECT)
 * is known, and, if it answers {@link PolicyDecision.NeedsCertificate}, again with the upstream
 * certificate. Rules before the certificate rule see the same facts both times, so they cannot
 * change their answer in the second call.
 */
public final class DecryptPolicy {
    /** The {@link Verdict#rule()} of verdicts that no rule made. */
    public static final String DEFAULT_RULE = "default";

    private final List<PolicyRule> rules;
    private final CompiledRule[] compiled;
    private final Action defaultAction;
    private final CategoryList categories;
    private final PolicyDecision defaultDecision;

    /** Refuses two rules with the same name (field {@code rules[i].name}): verdicts must identify one rule. */
    public DecryptPolicy(List<PolicyRule> rules, Action defaultAction, CategoryList categories) {
        this.rules = List.copyOf(rules);
        this.defaultAction = Objects.requireNonNull(defaultAction, "defaultAction");
        this.categories = categories != null ? categories : CategoryList.empty();
        Map<String, Integer> seen = new HashMap<>();
        this.compiled = new CompiledRule[this.rules.size()];
        for (int i = 0; i < compiled.length; i++) {
            PolicyRule rule = this.rules.get(i);
            Integer earlier = seen.putIfAbsent(rule.name(), i);
            if (earlier != null) {
                throw new ConfigException("rules[" + i + "].name", rule.name(),
                        "duplicate rule name (also rules[" + earlier + "])");
            }
            compiled[i] = CompiledRule.compile(rule, this.categories);
        }
        // Precomputed so the common "nothing matched" path allocates nothing.
        this.defaultDecision = new PolicyDecision.Decided(Verdict.of(defaultAction, DEFAULT_RULE,
                "no rule matched; default action is " + defaultAction.configName()));
    }

    /** The verdict for {@code facts}, or a request to call again with the upstream certificate. */
    public PolicyDecision decide(ConnectionFacts facts) {
        for (CompiledRule rule : compiled) {
            if (!rule.matchesConnection(facts)) {
                continue;
            }
            if (rule.needsCertificate()) {
                if (facts.certificate() == null) {
                    return new PolicyDecision.NeedsCertificate(rule.name());
                }
                if (!rule.matchesCertificate(facts)) {
                    continue; // the certificate rules this rule out; later rules still apply
                }
            }
            return new PolicyDecision.Decided(rule.verdict(facts));
        }
        return defaultDecision;
    }

    /** True when some rule looks at certificates; if false, {@link #decide} never asks for one. */
    public boolean mayNeedCertificate() {
        for (CompiledRule rule : compiled) {
            if (rule.needsCertificate()) {
                return true;
            }
        }
        return false;
    }

    public List<PolicyRule> rules() {
        return rules;
    }

    public Action defaultAction() {
        return defaultAction;
    }

    public CategoryList categories() {
        return categories;
    }
}
