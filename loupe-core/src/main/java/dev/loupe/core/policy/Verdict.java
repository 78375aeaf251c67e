package dev.loupe.core.policy;

/**
 * The outcome for one connection, with enough context for the access log to say why: {@link #rule()}
 * is the matching rule's name, {@code "default"} or {@code "auto-bypass"}, and {@link #reason()} names
 * the conditions that matched.
 */
public sealed interface Verdict permits Verdict.Decrypt, Verdict.Bypass, Verdict.Block {

    String rule();

    String reason();

    default Action action() {
        return switch (this) {
            case Decrypt d -> Action.DECRYPT;
            case Bypass b -> Action.BYPASS;
            case Block b -> Action.BLOCK;
        };
    }

    static Verdict of(Action action, String rule, String reason) {
        return switch (action) {
            case DECRYPT -> new Decrypt(rule, reason);
            case BYPASS -> new Bypass(rule, reason);
            case BLOCK -> new Block(rule, reason);
        };
    }

    record Decrypt(String rule, String reason) implements Verdict {
    }

    record Bypass(String rule, String reason) implements Verdict {
    }

    record Block(String rule, String reason) implements Verdict {
    }
}
