package dev.loupe.core.transparent;

import dev.loupe.core.config.InlineServiceConfig;
import dev.loupe.core.config.LoupeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The host commands that route an inline L2 or L3 service's flows through its devices and back, printed by
 * {@code loupe inline rules} to run (as root, after {@code loupe transparent rules}) on the gateway host.
 *
 * <p>Per device {@code i} with mark {@code m}: Loupe's connection toward the origin carries {@code m} and takes
 * table {@code 1000 + m}, out of the device's egress side. Coming back on the ingress side, the TPROXY rule
 * stamps the connection with ct mark {@code m + 1} and hands it to the return listener; the listener's replies
 * (the service's return mark) are re-marked with that ct mark, so they take table {@code 1000 + m + 1}, back
 * through the same device. For L2 the device has no address: each route's next hop is a link-local address
 * with a permanent neighbour entry holding the MAC of Loupe's own interface on the far side of the bridge, so
 * frames leave addressed to the other interface and the device only has to forward them. Replies reach the
 * connecting socket through the transparent rules' {@code socket transparent} match.
 */
public final class InlineRules {
    static final String NEXT_HOP_V4_OUT = "169.254.0.2";
    static final String NEXT_HOP_V4_BACK = "169.254.0.1";
    static final String NEXT_HOP_V6_OUT = "fe80::2";
    static final String NEXT_HOP_V6_BACK = "fe80::1";

    private InlineRules() {
    }

    public static String shellScript(LoupeConfig config) {
        if (!config.inline().enabled() || !config.inline().services().get(0).routed()) {
            throw new IllegalArgumentException("inline rules are for an l2 or l3 inline service; this configuration "
                    + (config.inline().enabled() ? "has an http one (a proxy device needs no routing)" : "has none"));
        }
        InlineServiceConfig s = config.inline().services().get(0);
        String tproxyMark = hex(config.transparent().mark());
        List<String> out = new ArrayList<>(List.of(
                "#!/bin/sh",
                "# Loupe inline " + s.type().toUpperCase(java.util.Locale.ROOT) + " service '" + s.name() + "': "
                        + s.marks().size() + " device(s); flows on port " + s.serverPort() + " come back to the "
                        + "return listener on port " + s.returnPort(),
                "set -e",
                "# the same flow crosses conntrack twice (toward the device and back from it)",
                "sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=1",
                "sysctl -qw net.ipv4.conf.all.rp_filter=0",
                "sysctl -qw net.ipv4.conf.default.rp_filter=0"));
        List<String> backMarks = new ArrayList<>();
        for (int i = 0; i < s.marks().size(); i++) {
            int m = s.marks().get(i);
            int back = m + 1;
            backMarks.add(hex(back));
            out.add("");
            if (s.l2()) {
                var pair = s.pairs().get(i);
                String eg = pair.egress();
                String in = pair.ingress();
                out.add("# device " + (i + 1) + ": bridges " + eg + " (toward it, mark " + hex(m) + ") to " + in
                        + " (back from it, ct mark " + hex(back) + ")");
                out.add("for dev in " + eg + " " + in + "; do");
                out.add("  ip link set \"$dev\" up");
                out.add("  sysctl -qw net.ipv4.conf.\"$dev\".rp_filter=0");
                out.add("  # a device copies frames as they are; over a virtual link (veth, no device/ in sysfs) nothing would");
                out.add("  # fill in an off-loaded checksum, so the kernel must; a physical NIC does it on the wire");
                out.add("  [ -e /sys/class/net/\"$dev\"/device ] || ethtool -K \"$dev\" tx off >/dev/null");
                out.add("done");
                out.add("ip neigh replace " + NEXT_HOP_V4_OUT + " lladdr \"$(cat /sys/class/net/" + in
                        + "/address)\" dev " + eg + " nud permanent");
                out.add("ip -6 neigh replace " + NEXT_HOP_V6_OUT + " lladdr \"$(cat /sys/class/net/" + in
                        + "/address)\" dev " + eg + " nud permanent");
                out.add("ip neigh replace " + NEXT_HOP_V4_BACK + " lladdr \"$(cat /sys/class/net/" + eg
                        + "/address)\" dev " + in + " nud permanent");
                out.add("ip -6 neigh replace " + NEXT_HOP_V6_BACK + " lladdr \"$(cat /sys/class/net/" + eg
                        + "/address)\" dev " + in + " nud permanent");
                routes(out, m, "via " + NEXT_HOP_V4_OUT + " dev " + eg + " onlink",
                        "via " + NEXT_HOP_V6_OUT + " dev " + eg);
                routes(out, back, "via " + NEXT_HOP_V4_BACK + " dev " + in + " onlink",
                        "via " + NEXT_HOP_V6_BACK + " dev " + in);
                tproxy(out, in, s, back, tproxyMark);
            } else {
                out.add("# device " + (i + 1) + " (mark " + hex(m) + "): routes need its addresses, which the "
                        + "configuration does not hold; fill them in:");
                out.add("# ip rule add fwmark " + hex(m) + " lookup " + (1000 + m)
                        + "; ip route add default via <device address, way out> dev <interface> table " + (1000 + m));
                out.add("# ip rule add fwmark " + hex(back) + " lookup " + (1000 + back)
                        + "; ip route add default via <device address, way back> dev <interface> table "
                        + (1000 + back));
                out.add("# nft add rule inet loupe divert iifname <interface it comes back on> tcp dport "
                        + s.serverPort() + " ct mark set " + hex(back) + " tproxy ip to :" + s.returnPort()
                        + " meta mark set " + tproxyMark + " accept");
            }
        }
        out.add("");
        out.add("# the return listener's replies (mark " + hex(s.returnMark()) + ") go back through the device their "
                + "flow came from");
        out.add("nft add chain inet loupe return_route '{ type route hook output priority mangle; policy accept; }'");
        out.add("nft add rule inet loupe return_route meta mark " + hex(s.returnMark()) + " ct mark { "
                + String.join(", ", backMarks) + " } meta mark set ct mark");
        out.add("");
        return out.stream().collect(Collectors.joining("\n"));
    }

    private static void routes(List<String> out, int mark, String v4, String v6) {
        int table = 1000 + mark;
        out.add("ip rule add fwmark " + hex(mark) + " lookup " + table);
        out.add("ip route replace default " + v4 + " table " + table);
        out.add("ip -6 rule add fwmark " + hex(mark) + " lookup " + table);
        out.add("ip -6 route replace default " + v6 + " table " + table);
    }

    private static void tproxy(List<String> out, String ingress, InlineServiceConfig s, int back, String tproxyMark) {
        for (String family : new String[] {"ip", "ip6"}) {
            out.add("nft add rule inet loupe divert iifname \"" + ingress + "\" meta nfproto "
                    + (family.equals("ip") ? "ipv4" : "ipv6") + " tcp dport " + s.serverPort() + " ct mark set "
                    + hex(back) + " tproxy " + family + " to :" + s.returnPort() + " meta mark set " + tproxyMark
                    + " accept");
        }
    }

    private static String hex(int value) {
        return "0x" + Integer.toHexString(value);
    }
}
