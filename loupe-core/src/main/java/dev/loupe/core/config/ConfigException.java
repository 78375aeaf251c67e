package dev.loupe.core.config;

/**
 * A configuration value was refused. {@link #field()} is the dotted path from the top of the file
 * (e.g. {@code listener.port}), so an operator can find the line to fix.
 */
public final class ConfigException extends RuntimeException {
    private final String field;
    private final String value;
    private final String reason;

    public ConfigException(String field, Object value, String reason) {
        super(format(field, value, reason));
        this.field = field;
        this.value = String.valueOf(value);
        this.reason = reason;
    }

    private static String format(String field, Object value, String reason) {
        return "invalid configuration: field '" + field + "' = " + quote(value) + ": " + reason;
    }

    private static String quote(Object value) {
        return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
    }

    public String field() {
        return field;
    }

    public String value() {
        return value;
    }

    public String reason() {
        return reason;
    }

    /** The same problem, located under {@code parent} (used while unwinding nested sections). */
    public ConfigException under(String parent) {
        if (parent.isEmpty()) {
            return this;
        }
        return new ConfigException(field.isEmpty() ? parent : parent + "." + field, value, reason);
    }
}
