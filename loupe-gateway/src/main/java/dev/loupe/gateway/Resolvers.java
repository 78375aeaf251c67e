package dev.loupe.gateway;

import dev.loupe.core.config.ResolverConfig;
import dev.loupe.gateway.transport.Transport;
import io.netty.resolver.HostsFileEntriesProvider;
import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The asynchronous DNS resolver for upstream names (the JDK's resolver would block an event loop).
 * An optional extra hosts file is consulted before /etc/hosts and DNS.
 */
final class Resolvers {
    private Resolvers() {
    }

    static DnsAddressResolverGroup create(ResolverConfig config, Transport transport) {
        DnsNameResolverBuilder builder = new DnsNameResolverBuilder()
                .datagramChannelType(transport.datagramChannel())
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .queryTimeoutMillis(config.queryTimeout().toMillis());
        if (!config.nameservers().isEmpty()) {
            List<InetSocketAddress> servers = config.nameservers().stream().map(Resolvers::parse).toList();
            builder.nameServerProvider(new SequentialDnsServerAddressStreamProvider(servers));
        } else {
            builder.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
        }
        if (config.hostsFile() != null) {
            builder.hostsFileEntriesResolver(new ExtraHostsResolver(load(config)));
        }
        return new DnsAddressResolverGroup(builder);
    }

    private static HostsFileEntriesProvider load(ResolverConfig config) {
        try {
            return HostsFileEntriesProvider.parser().parse(config.hostsFile().toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resolver.hosts-file " + config.hostsFile(), e);
        }
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** The operator's hosts file first, then the system's /etc/hosts. */
    private record ExtraHostsResolver(HostsFileEntriesProvider extra) implements HostsFileEntriesResolver {
        @Override
        public InetAddress address(String inetHost, ResolvedAddressTypes types) {
            String key = inetHost.toLowerCase(java.util.Locale.ROOT);
            List<InetAddress> v4 = lookup(extra.ipv4Entries(), key);
            List<InetAddress> v6 = lookup(extra.ipv6Entries(), key);
            List<InetAddress> chosen = switch (types) {
                case IPV4_ONLY -> v4;
                case IPV6_ONLY -> v6;
                case IPV4_PREFERRED -> v4 != null ? v4 : v6;
                case IPV6_PREFERRED -> v6 != null ? v6 : v4;
            };
            return chosen != null ? chosen.get(0) : HostsFileEntriesResolver.DEFAULT.address(inetHost, types);
        }

        private static List<InetAddress> lookup(Map<String, List<InetAddress>> entries, String key) {
            List<InetAddress> list = entries.get(key);
            return list == null || list.isEmpty() ? null : list;
        }
    }
}
