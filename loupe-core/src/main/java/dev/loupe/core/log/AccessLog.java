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

    AccessLog NONE = new AccessLog() {
        @Override
        public void connection(ConnectionRecord record) {
        }

        @Override
        public void exchange(ExchangeRecord record) {
        }
    };
}
