package dev.loupe.core.transparent;

import dev.loupe.core.config.TransparentConfig;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The host commands an operator runs so that the firewall diverts client traffic to Loupe's TPROXY
 * listener: policy routing for marked packets, and an nftables table that marks and diverts TCP on
 * the configured ports (IPv4 and IPv6) and rejects UDP/443 so that browsers fall back from QUIC to TCP.
 * Pure text, printed by {@code loupe transparent rules}.
 */
public final class TransparentRules {
    private TransparentRules() {
    }

    public static String shellScript(TransparentConfig t) {
        String mark = "0x" + Integer.toHexString(t.mark());
        String ports = t.ports().stream().map(String::valueOf).collect(Collectors.joining(", "));
        String iif = t.interfaces().isEmpty() ? ""
                : "iifname { " + t.interfaces().stream().map(i -> "\"" + i + "\"").collect(Collectors.joining(", "))
                        + " } ";
        return String.join("\n", List.of(
                "#!/bin/sh",
                "# Loupe transparent mode: divert TCP ports " + ports + " to the TPROXY listener on port " + t.port(),
                "set -e",
                "sysctl -qw net.ipv4.ip_forward=1",
                "sysctl -qw net.ipv6.conf.all.forwarding=1",
                "# packets marked " + mark + " are delivered locally, to the listening socket",
                "ip rule add fwmark " + mark + " lookup " + t.table(),
                "ip route add local 0.0.0.0/0 dev lo table " + t.table(),
                "ip -6 rule add fwmark " + mark + " lookup " + t.table(),
                "ip -6 route add local ::/0 dev lo table " + t.table(),
                "nft -f - <<'NFT'",
                "table inet loupe {",
                "  chain divert {",
                "    type filter hook prerouting priority mangle; policy accept;",
                "    # packets of connections Loupe already owns go straight to its socket",
                "    meta l4proto tcp socket transparent 1 meta mark set " + mark + " accept",
                "    " + iif + "meta nfproto ipv4 tcp dport { " + ports + " } tproxy ip to :" + t.port()
                        + " meta mark set " + mark + " accept",
                "    " + iif + "meta nfproto ipv6 tcp dport { " + ports + " } tproxy ip6 to :" + t.port()
                        + " meta mark set " + mark + " accept",
                "  }",
                "  chain no_quic {",
                "    type filter hook forward priority filter; policy accept;",
                "    # QUIC cannot be inspected: refuse it so clients fall back to TLS over TCP",
                "    " + iif + "udp dport 443 reject",
                "  }",
                "}",
                "NFT",
                ""));
    }
}
