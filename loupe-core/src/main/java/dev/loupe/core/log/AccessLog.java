package dev.loupe.core.log;

/** Receives access-log records. Implementations must never block the caller (an event loop). */
public interface AccessLog extends AutoCloseable {
    void connection(ConnectionRecord record);

    void exchange(ExchangeRecord record);

    @Override
    default void close() {
    }

    /** Reopens the file written to (after logrotate moved it away: SIGUSR1); nothing for a stream. */
    default void reopen() {
    }

    /**
     * Writes from now on to {@code target} ({@code stdout} or a file path), after the records already queued
     * (a reload that changed {@code access-log.target}); nothing is lost in the switch.
     */
    default void retarget(String target) {
        throw new UnsupportedOperationException("this access log cannot change its target");
    }

    AccessLog NONE = new AccessLog() {
        @Override
        public void connection(ConnectionRecord record) {
        }

        @Override
        public void exchange(ExchangeRecord record) {
        }
    };
}
