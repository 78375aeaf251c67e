package dev.loupe.core.intel;

/**
 * Open-addressing hash table from strings to indicators whose lookups take a region of a larger string
 * and a hash the caller computed incrementally, so that walking the labels of a host or the segments of a
 * path allocates nothing. Filled once at build time, then only read (safe to share once published).
 */
final class StringTable {
    private final String[] keys;
    private final int[] hashes;
    private final Indicator[] values;
    private final int mask;
    private int size;

    StringTable(int expected) {
        // Load factor at most 1/2 keeps probe sequences short for misses, the common case.
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
        keys = new String[capacity];
        hashes = new int[capacity];
        values = new Indicator[capacity];
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    /** Adds or replaces; {@code hash} must be what lookups compute for the same text. */
    void put(String key, int hash, Indicator value) {
        int stored = nonZero(hash);
        int slot = spread(hash) & mask;
        while (hashes[slot] != 0) {
            if (hashes[slot] == stored && keys[slot].equals(key)) {
                values[slot] = value;
                return;
            }
            slot = (slot + 1) & mask;
        }
        if (size + 1 > (mask + 1) / 2) {
            throw new IllegalStateException("table sized for fewer entries");
        }
        keys[slot] = key;
        hashes[slot] = stored;
        values[slot] = value;
        size++;
    }

    /**
     * The value whose key equals {@code text[from, to)}; keys are stored lower-case, and {@code foldCase}
     * makes the comparison ignore ASCII case in the text. Probing reads only the hash array (0 marks an
     * empty slot), so a miss usually costs one cache line: the tables are far larger than the CPU caches.
     */
    Indicator get(String text, int from, int to, int hash, boolean foldCase) {
        int stored = nonZero(hash);
        int slot = spread(hash) & mask;
        int candidate;
        while ((candidate = hashes[slot]) != 0) {
            if (candidate == stored) {
                String key = keys[slot];
                if (key.length() == to - from && regionEquals(key, text, from, foldCase)) {
                    return values[slot];
                }
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    private static int nonZero(int hash) {
        return hash == 0 ? 1 : hash;
    }

    private static boolean regionEquals(String key, String text, int from, boolean foldCase) {
        if (!foldCase) {
            return text.regionMatches(from, key, 0, key.length());
        }
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) != DomainNames.lower(text.charAt(from + i))) {
                return false;
            }
        }
        return true;
    }

    /** Murmur3's finaliser: String-style polynomial hashes cluster in the low bits. */
    private static int spread(int hash) {
        int h = hash;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
