package dev.loupe.core.config;

import java.util.List;

/** Threat-intelligence sources; the push API ("api" source) is always there, behind the admin token. */
public record IntelConfig(List<IntelSourceConfig> sources) {
    public IntelConfig {
        sources = List.copyOf(Check.orDefault(sources, List.of()));
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < sources.size(); i++) {
            if (!names.add(sources.get(i).name())) {
                throw new ConfigException("sources[" + i + "].name", sources.get(i).name(), "names must be unique");
            }
        }
    }

    public static IntelConfig defaults() {
        return new IntelConfig(null);
    }
}
