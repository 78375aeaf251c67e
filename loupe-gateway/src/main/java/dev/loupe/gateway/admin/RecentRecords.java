package dev.loupe.gateway.admin;

import dev.loupe.core.log.AccessLog;
import dev.loupe.core.log.ConnectionRecord;
import dev.loupe.core.log.ExchangeRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest connection and exchange records, in memory for the dashboard (no database), then passed on.
 * Bounded: the oldest go first. Thread-safe: event loops add, the admin worker reads.
 */
public final class RecentRecords implements AccessLog {
    private final AccessLog delegate;
    private final int capacity;
    private final ArrayDeque<Object> records;
    private final TrafficHistory history = new TrafficHistory();

    public RecentRecords(AccessLog delegate, int capacity) {
        this.delegate = delegate;
        this.capacity = capacity;
        this.records = new ArrayDeque<>(capacity);
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
        List<Object> out = new ArrayList<>(Math.min(limit, capacity));
        synchronized (records) {
            var it = records.descendingIterator();
            while (it.hasNext() && out.size() < limit) {
                out.add(it.next());
            }
        }
        return out;
    }

    private void remember(Object record) {
        synchronized (records) {
            if (records.size() == capacity) {
                records.removeFirst();
            }
            records.addLast(record);
        }
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
