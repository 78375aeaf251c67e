package dev.loupe.core.config;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The order in which a decrypted (or plain) exchange meets the inspection services: {@code pipeline:} in the
 * configuration, e.g. {@code [url-intel, icap, mirror, inline]}. A request passes the stages in this order, its
 * response comes back through them in reverse, as through a chain of devices.
 *
 * <p>{@code inline} splits the chain in two legs: the stages before it work between the client and the inline
 * device, the stages after it between the device and the origin (Loupe's return listener runs them). When an
 * exchange goes straight to the origin (no inline service, or none of its devices up and fail-open) both legs
 * run on the one connection, in the same order. The {@code mirror} records what its leg sends on the wire, after
 * every stage of that leg has worked on it, so it stands last in its leg: right before {@code inline} (the
 * device leg) or at the very end (the origin leg).
 *
 * @param stages each of the four stage kinds exactly once
 */
public record StageOrder(List<Stage> stages) {
    /** The kinds of stage; a kind with nothing configured (no ICAP service, say) passes exchanges on untouched. */
    public enum Stage {
        URL_INTEL, ICAP, MIRROR, INLINE;

        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Stage parse(String field, String value) {
            for (Stage s : values()) {
                if (s.configName().equals(value)) {
                    return s;
                }
            }
            throw new ConfigException(field, value, "unknown stage; the stages are "
                    + List.of(values()).stream().map(Stage::configName).collect(Collectors.joining(", ")));
        }
    }

    /** What the pipeline was before {@code pipeline:} existed, and still is without it. */
    public static final StageOrder DEFAULT = new StageOrder(List.of(Stage.URL_INTEL, Stage.ICAP, Stage.MIRROR,
            Stage.INLINE));

    public StageOrder {
        stages = List.copyOf(stages);
        Set<Stage> seen = EnumSet.noneOf(Stage.class);
        for (int i = 0; i < stages.size(); i++) {
            if (!seen.add(stages.get(i))) {
                throw new ConfigException("pipeline[" + i + "]", stages.get(i).configName(), "named twice");
            }
        }
        if (seen.size() != Stage.values().length) {
            Set<Stage> missing = EnumSet.allOf(Stage.class);
            missing.removeAll(seen);
            throw new ConfigException("pipeline", names(stages), "must name every stage once; missing "
                    + missing.stream().map(Stage::configName).collect(Collectors.joining(", "))
                    + " (a stage with no service configured lets exchanges pass)");
        }
        int mirror = stages.indexOf(Stage.MIRROR);
        int inline = stages.indexOf(Stage.INLINE);
        if (mirror != stages.size() - 1 && mirror != inline - 1) {
            throw new ConfigException("pipeline", names(stages), "mirror records what its leg sends on the wire, "
                    + "after every stage of that leg: put it right before inline (the device leg) or last (the "
                    + "origin leg)");
        }
    }

    /**
     * The effective order: {@code names} when given; otherwise the one the older {@code inline.icap-position} and
     * {@code inline.mirror-leg} settings describe. Both at once is refused, as two answers to one question.
     */
    public static StageOrder resolve(List<String> names, InlineConfig inline) {
        if (names != null) {
            if (inline.icapPosition() != null) {
                throw new ConfigException("inline.icap-position", inline.icapPosition(), "replaced by pipeline: "
                        + "(ICAP after the device is [url-intel, mirror, inline, icap]); remove one of them");
            }
            if (inline.mirrorLeg() != null) {
                throw new ConfigException("inline.mirror-leg", inline.mirrorLeg(), "replaced by pipeline: "
                        + "(the origin leg is [url-intel, icap, inline, mirror]); remove one of them");
            }
            List<Stage> stages = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                stages.add(Stage.parse("pipeline[" + i + "]", names.get(i)));
            }
            return new StageOrder(stages);
        }
        List<Stage> stages = new ArrayList<>(List.of(Stage.URL_INTEL));
        boolean icapAfter = inline.icapAfterDevice();
        boolean mirrorAfter = inline.mirrorOriginLeg();
        if (!icapAfter) {
            stages.add(Stage.ICAP);
        }
        if (!mirrorAfter) {
            stages.add(Stage.MIRROR);
        }
        stages.add(Stage.INLINE);
        if (icapAfter) {
            stages.add(Stage.ICAP);
        }
        if (mirrorAfter) {
            stages.add(Stage.MIRROR);
        }
        return new StageOrder(stages);
    }

    /** When the older settings are in use: the {@code pipeline:} line that says the same, for the start-up log. */
    public static java.util.Optional<String> legacyNote(List<String> names, InlineConfig inline) {
        if (names != null || (inline.icapPosition() == null && inline.mirrorLeg() == null)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("inline.icap-position and inline.mirror-leg are the older spelling of "
                + "pipeline: " + resolve(null, inline) + "; write that instead");
    }

    /** Whether {@code stage} works between the inline device and the origin (else between client and device). */
    public boolean afterDevice(Stage stage) {
        return stages.indexOf(stage) > stages.indexOf(Stage.INLINE);
    }

    /** The stages of the leg between client and device (or of the whole path when there is no device). */
    public List<Stage> deviceLeg() {
        return stages.subList(0, stages.indexOf(Stage.INLINE));
    }

    /** The stages of the leg between the device and the origin. */
    public List<Stage> originLeg() {
        return stages.subList(stages.indexOf(Stage.INLINE) + 1, stages.size());
    }

    /** The names, as written in the configuration. */
    public List<String> names() {
        return names(stages);
    }

    private static List<String> names(List<Stage> stages) {
        return stages.stream().map(Stage::configName).toList();
    }

    @Override
    public String toString() {
        return names().toString();
    }
}
