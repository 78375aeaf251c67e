package dev.loupe.core.config;

import java.util.List;

/**
 * What a configuration reload did.
 *
 * @param result  applied, unchanged, dry-run, refused (valid, but a section changed that needs a restart) or invalid
 * @param changed the sections the file changes
 * @param message why it was refused or invalid (the field-level error of {@code config check}), else null
 * @param micros  how long applying it took, 0 when nothing was applied
 */
public record ConfigReload(String result, List<String> changed, String message, long micros) {
    public ConfigReload {
        changed = List.copyOf(changed);
    }

    public static ConfigReload applied(List<String> changed, long micros) {
        return new ConfigReload("applied", changed, null, micros);
    }

    public static ConfigReload unchanged() {
        return new ConfigReload("unchanged", List.of(), null, 0);
    }

    public static ConfigReload dryRun(List<String> changed) {
        return new ConfigReload("dry-run", changed, null, 0);
    }

    public static ConfigReload refused(List<String> changed, String why) {
        return new ConfigReload("refused", changed, why, 0);
    }

    public static ConfigReload invalid(String why) {
        return new ConfigReload("invalid", List.of(), why, 0);
    }
}
