package dev.loupe.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.loupe.core.policy.Action;
import dev.loupe.core.policy.AutoBypassSettings;
import dev.loupe.core.policy.PolicyRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The decrypt policy: ordered rules (first match wins), an explicit default, URL-category lists and
 * the automatic bypass for clients that refuse the forged certificate.
 */
public record PolicyConfig(@JsonProperty("default") String defaultAction, List<PolicyRule> rules, List<Path> categoryFiles,
                           AutoBypassSettings autoBypass, String encryptedClientHello) {
    public PolicyConfig {
        // GREASE ECH (which Chromium sends on every connection) cannot be told apart from real ECH in
        // the outer ClientHello, so "bypass" as a default would stop inspection of every Chromium user.
        encryptedClientHello = Check.orDefault(encryptedClientHello, Action.DECRYPT.configName());
        Action.fromConfigName("encrypted-client-hello", encryptedClientHello);
        defaultAction = Check.orDefault(defaultAction, Action.DECRYPT.configName());
        Action.fromConfigName("default", defaultAction);
        rules = List.copyOf(Check.orDefault(rules, List.of()));
        categoryFiles = List.copyOf(Check.orDefault(categoryFiles, List.of()));
        autoBypass = Check.orDefault(autoBypass, AutoBypassSettings.defaults());
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            if (!names.add(rules.get(i).name())) {
                throw new ConfigException("rules[" + i + "].name", rules.get(i).name(), "rule names must be unique");
            }
        }
        for (int i = 0; i < categoryFiles.size(); i++) {
            if (!Files.isReadable(categoryFiles.get(i))) {
                throw new ConfigException("category-files[" + i + "]", categoryFiles.get(i).toString(),
                        "file is not readable");
            }
        }
    }

    public static PolicyConfig defaults() {
        return new PolicyConfig(null, null, null, null, null);
    }

    public Action encryptedClientHelloAction() {
        return Action.fromConfigName("encrypted-client-hello", encryptedClientHello);
    }

    public Action defaultActionValue() {
        return Action.fromConfigName("default", defaultAction);
    }
}
