package dev.loupe.core.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Keeps the proxy from being a way into its own host (SSRF): decides, once a destination's address is
 * known, whether Loupe may connect there on a client's behalf.
 *
 * <ul>
 *   <li>Loupe's own listeners (proxy, admin API, return and transparent listeners) are refused always:
 *       the admin API behind the proxy would answer clients that were never meant to reach it.</li>
 *   <li>Loopback, link-local, unspecified ({@code 0.0.0.0} reaches the local host) and the host's own
 *       addresses are refused unless the operator allows local destinations (tests and labs): a cluster
 *       Redis or a metadata service there is not for clients (Squid's {@code to_localhost} default).</li>
 * </ul>
 * IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry. Thread-safe.
 */
public final class DestinationGuard {
    private final boolean allowLocal;
    private final Supplier<Set<InetAddress>> ownAddresses;
    private final List<InetSocketAddress> listeners = new CopyOnWriteArrayList<>();

    /** @param ownAddresses the host's interface addresses, asked on each check (cache it if costly) */
    public DestinationGuard(boolean allowLocal, Supplier<Set<InetAddress>> ownAddresses) {
        this.allowLocal = allowLocal;
        this.ownAddresses = ownAddresses;
    }

    /**
     * The host's interface addresses, read again at most every 10 s (interfaces come and go; a check must not
     * walk them on every connection).
     */
    public static Supplier<Set<InetAddress>> systemAddresses() {
        return new Supplier<>() {
            private volatile Set<InetAddress> cached = Set.of();
            private volatile long readAt = Long.MIN_VALUE;

            @Override
            public Set<InetAddress> get() {
                long now = System.nanoTime();
                if (readAt == Long.MIN_VALUE || now - readAt > 10_000_000_000L) {
                    Set<InetAddress> all = new java.util.HashSet<>();
                    try {
                        var interfaces = java.net.NetworkInterface.getNetworkInterfaces();
                        while (interfaces != null && interfaces.hasMoreElements()) {
                            interfaces.nextElement().getInetAddresses().asIterator()
                                    .forEachRemaining(a -> all.add(unmapped(a)));
                        }
                    } catch (java.net.SocketException e) {
                        // keep what was known: the check still refuses loopback and link-local
                        return cached;
                    }
                    cached = Set.copyOf(all);
                    readAt = now;
                }
                return cached;
            }
        };
    }

    /** Registers a listener Loupe has bound (a wildcard address stands for every local address). */
    public void addListener(InetSocketAddress bound) {
        listeners.add(bound);
    }

    /** Why Loupe must not connect to {@code destination} for a client; empty when it may. */
    public Optional<String> refuse(InetSocketAddress destination) {
        InetAddress address = unmapped(destination.getAddress());
        if (address == null) {
            return Optional.empty();
        }
        String where = (address instanceof Inet6Address ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress()) + ":" + destination.getPort();
        boolean local = isLocal(address);
        for (InetSocketAddress l : listeners) {
            if (l.getPort() != destination.getPort()) {
                continue;
            }
            InetAddress bound = unmapped(l.getAddress());
            boolean reaches = bound == null || bound.isAnyLocalAddress()
                    ? local // a wildcard listener answers on every local address
                    : bound.equals(address) || address.isAnyLocalAddress(); // connecting to 0.0.0.0 reaches this host
            if (reaches) {
                return Optional.of("destination " + where + " is one of Loupe's own listeners");
            }
        }
        if (allowLocal || !local && !address.isLinkLocalAddress()) {
            return Optional.empty();
        }
        String kind = address.isLoopbackAddress() ? "a loopback address"
                : address.isAnyLocalAddress() ? "the unspecified address (this host)"
                : address.isLinkLocalAddress() ? "a link-local address"
                : "one of this host's own addresses";
        return Optional.of("destination " + where + " is " + kind
                + " (upstream.local-destinations: refuse)");
    }

    private boolean isLocal(InetAddress address) {
        return address.isLoopbackAddress() || address.isAnyLocalAddress() || ownAddresses.get().contains(address);
    }

    /** The IPv4 address inside an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}); others unchanged. */
    static InetAddress unmapped(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                try {
                    return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return address;
    }
}
