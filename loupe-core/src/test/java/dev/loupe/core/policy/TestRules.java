package dev.loupe.core.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.core.config.ConfigException;

/**
 * Rules written as YAML, mapped with the settings of the real config loader (kebab case, unknown
 * fields refused), so tests read like configuration and prove the record is Jackson-friendly.
 */
final class TestRules {
    static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private TestRules() {
    }

    /** A rule from a YAML flow mapping such as {@code {name: r, hosts: [a.example], action: bypass}}. */
    static PolicyRule rule(String yaml) {
        try {
            return YAML.readValue(yaml, PolicyRule.class);
        } catch (JsonProcessingException e) {
            ConfigException refusal = refusal(e);
            throw refusal != null ? refusal : new IllegalArgumentException(yaml, e);
        }
    }

    /** The {@link ConfigException} Jackson wrapped, or null. */
    static ConfigException refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException ce) {
                return ce;
            }
        }
        return null;
    }
}
