package dev.loupe.gateway.admin;

import dev.loupe.core.log.AccessLog;
import dev.loupe.core.log.ConnectionRecord;
import dev.loupe.core.log.ExchangeRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest connection and exchange records, in memory for the dashboard (no database), then passed on.
 * Bounded: the oldest go first. Event loops add without a lock (a ring of slots claimed by one atomic
 * increment, so a record costs the exchange path no contention); the admin worker reads the newest slots, and a
 * slot overwritten during the read at worst shows a newer record.
 */
public final class RecentRecords implements AccessLog {
    private final AccessLog delegate;
    private final int capacity;
    private final java.util.concurrent.atomic.AtomicReferenceArray<Object> ring;
    private final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
    private final TrafficHistory history = new TrafficHistory();

    public RecentRecords(AccessLog delegate, int capacity) {
        this.delegate = delegate;
        this.capacity = capacity;
        this.ring = new java.util.concurrent.atomic.AtomicReferenceArray<>(capacity);
    }

    @Override
    public void connection(ConnectionRecord record) {
        history.connection(record);
        remember(record);
        delegate.connection(record);
    }

    @Override
    public void exchange(ExchangeRecord record) {
        history.exchange();
        remember(record);
        delegate.exchange(record);
    }

    /** What the records add up to over the last hour (fed by the same records). */
    public TrafficHistory history() {
        return history;
    }

    /** Newest first. */
    public List<Object> latest(int limit) {
        long end = written.get();
        int n = (int) Math.min(Math.min(limit, capacity), end);
        List<Object> out = new ArrayList<>(n);
        for (long i = end - 1; i >= end - n; i--) {
            Object record = ring.get((int) (i % capacity));
            if (record != null) {
                out.add(record);
            }
        }
        return out;
    }

    private void remember(Object record) {
        ring.set((int) (written.getAndIncrement() % capacity), record);
    }

    @Override
    public void reopen() {
        delegate.reopen();
    }

    @Override
    public void retarget(String target) {
        delegate.retarget(target);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
