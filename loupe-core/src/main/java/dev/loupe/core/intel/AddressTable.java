package dev.loupe.core.intel;

/**
 * Open-addressing hash table from a 128-bit key (two longs; IPv4 uses the low one) to an indicator, one
 * per prefix length. Filled once at build time, then only read.
 */
final class AddressTable {
    /** high and low halves side by side: one cache line holds a whole key. */
    private final long[] keys;
    private final Indicator[] values;
    private final int mask;

    AddressTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
        keys = new long[capacity * 2];
        values = new Indicator[capacity];
        mask = capacity - 1;
    }

    void put(long high, long low, Indicator value) {
        int slot = slot(high, low);
        while (values[slot] != null && (keys[2 * slot] != high || keys[2 * slot + 1] != low)) {
            slot = (slot + 1) & mask;
        }
        keys[2 * slot] = high;
        keys[2 * slot + 1] = low;
        values[slot] = value;
    }

    Indicator get(long high, long low) {
        int slot = slot(high, low);
        Indicator value;
        while ((value = values[slot]) != null) {
            if (keys[2 * slot] == high && keys[2 * slot + 1] == low) {
                return value;
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    private int slot(long high, long low) {
        long h = high * 0x9E3779B97F4A7C15L ^ low;
        // Murmur3's 64-bit finaliser: network addresses differ mostly in a few middle bits.
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h & mask;
    }
}
