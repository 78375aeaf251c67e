package dev.loupe.gateway;

import dev.loupe.core.config.LoupeConfig;
import dev.loupe.core.policy.AutoBypass;
import dev.loupe.core.policy.CategoryList;
import dev.loupe.core.policy.DecryptPolicy;
import dev.loupe.gateway.intel.IntelService;
import dev.loupe.core.policy.ConnectionDecider;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the decision point (rules, categories, automatic bypass, threat intelligence) from the config. */
final class Policies {
    private static final Logger log = LoggerFactory.getLogger(Policies.class);

    private Policies() {
    }

    static ConnectionDecider decider(LoupeConfig config, Clock clock, IntelService intel) {
        return decider(config, clock, intel, null);
    }

    /**
     * {@code keep}: the running node's automatic bypass, kept across a reload (what it learned stays in force) and
     * pointed at the new rules and category lists; null builds a new one.
     */
    static ConnectionDecider decider(LoupeConfig config, Clock clock, IntelService intel, AutoBypass keep) {
        var policy = config.policy();
        CategoryList categories = categories(policy.categoryFiles());
        DecryptPolicy rules = new DecryptPolicy(policy.rules(), policy.defaultActionValue(), categories);
        AutoBypass autoBypass;
        if (keep != null && keep.settings().equals(policy.autoBypass())) {
            keep.reconfigure(categories, ConnectionDecider.eligibility(rules, intel));
            autoBypass = keep;
        } else {
            autoBypass = new AutoBypass(policy.autoBypass(), clock, categories, ConnectionDecider.eligibility(rules, intel));
        }
        return new ConnectionDecider(rules, autoBypass, intel);
    }

    private static CategoryList categories(java.util.List<Path> files) {
        java.util.List<CategoryList> lists = new java.util.ArrayList<>();
        for (Path file : files) {
            CategoryList list;
            try {
                list = CategoryList.load(file);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read category file " + file, e);
            }
            list.problems().forEach(p -> log.warn("category list {} line {}: {} (skipped)", p.source(), p.line(),
                    p.reason()));
            lists.add(list);
        }
        return CategoryList.combine(lists);
    }
}
