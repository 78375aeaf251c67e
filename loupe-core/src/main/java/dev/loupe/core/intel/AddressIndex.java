package dev.loupe.core.intel;

import dev.loupe.core.net.Cidr;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Collection;

/**
 * IP and CIDR indicators in one hash table per (family, prefix length); a lookup masks the address for
 * each length present, longest first, so its cost is bounded by the number of distinct lengths (at most
 * 33 + 129), not by the number of networks. A single address is simply a /32 or /128 network.
 */
final class AddressIndex {
    private final AddressTable[] v4 = new AddressTable[33];
    private final AddressTable[] v6 = new AddressTable[129];
    private final int[] v4Lengths;
    private final int[] v6Lengths;

    AddressIndex(Collection<Indicator> addresses) {
        Indicator[] indicators = addresses.toArray(Indicator[]::new);
        Cidr[] networks = new Cidr[indicators.length];
        int[] v4Counts = new int[33];
        int[] v6Counts = new int[129];
        for (int i = 0; i < indicators.length; i++) {
            networks[i] = Cidr.parse(indicators[i].value());
            (networks[i].network().length == 4 ? v4Counts : v6Counts)[networks[i].prefixLength()]++;
        }
        v4Lengths = allocate(v4, v4Counts);
        v6Lengths = allocate(v6, v6Counts);
        for (int i = 0; i < indicators.length; i++) {
            byte[] bytes = networks[i].network();
            AddressTable[] tables = bytes.length == 4 ? v4 : v6;
            tables[networks[i].prefixLength()].put(high(bytes), low(bytes), indicators[i]);
        }
    }

    /** Creates the tables for the lengths in use and returns those lengths, longest first. */
    private static int[] allocate(AddressTable[] tables, int[] counts) {
        int used = 0;
        for (int length = counts.length - 1; length >= 0; length--) {
            if (counts[length] > 0) {
                tables[length] = new AddressTable(counts[length]);
                used++;
            }
        }
        int[] lengths = new int[used];
        for (int length = counts.length - 1, i = 0; length >= 0; length--) {
            if (counts[length] > 0) {
                lengths[i++] = length;
            }
        }
        return lengths;
    }

    Indicator match(InetAddress address, Instant now) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            return matchV4(low(bytes), now);
        }
        if (isV4Mapped(bytes)) {
            // An IPv4-mapped client address must hit IPv4 rules (as Cidr.contains does).
            Indicator found = matchV4(low(bytes) & 0xffffffffL, now);
            if (found != null) {
                return found;
            }
        }
        return matchV6(high(bytes), low(bytes), now);
    }

    private Indicator matchV4(long address, Instant now) {
        for (int length : v4Lengths) {
            long mask = length == 0 ? 0 : (0xffffffffL << (32 - length)) & 0xffffffffL;
            Indicator found = v4[length].get(0, address & mask);
            if (found != null && !found.isExpired(now)) {
                return found;
            }
        }
        return null;
    }

    private Indicator matchV6(long high, long low, Instant now) {
        for (int length : v6Lengths) {
            long highMask = length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
            long lowMask = length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
            Indicator found = v6[length].get(high & highMask, low & lowMask);
            if (found != null && !found.isExpired(now)) {
                return found;
            }
        }
        return null;
    }

    /** The first eight bytes of an IPv6 address; 0 for IPv4. */
    private static long high(byte[] bytes) {
        return bytes.length == 16 ? toLong(bytes, 0, 8) : 0;
    }

    /** The last eight bytes of an IPv6 address, or the four bytes of an IPv4 address. */
    private static long low(byte[] bytes) {
        return bytes.length == 16 ? toLong(bytes, 8, 8) : toLong(bytes, 0, 4);
    }

    private static long toLong(byte[] bytes, int from, int count) {
        long value = 0;
        for (int i = from; i < from + count; i++) {
            value = (value << 8) | (bytes[i] & 0xff);
        }
        return value;
    }

    private static boolean isV4Mapped(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return false;
            }
        }
        return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
    }
}
