package dev.loupe.core.intel;

import dev.loupe.core.net.Cidr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Decodes RPZ IP triggers: {@code <prefix>.<address labels reversed>.rpz-ip}. */
final class RpzTriggers {
    private RpzTriggers() {
    }

    /**
     * The network of an rpz-ip trigger name without the ".rpz-ip" suffix: "32.1.2.0.192" is 192.0.2.1/32,
     * "48.zz.db8.2001" is 2001:db8::/48 ("zz" stands for "::"). Throws IllegalArgumentException.
     */
    static Cidr network(String labels) {
        String[] parts = labels.split("\\.", -1);
        if (parts.length < 2) {
            throw new IllegalArgumentException("rpz-ip trigger '" + labels + "' has no address");
        }
        int prefix = prefixLength(parts[0], labels);
        List<String> address = new ArrayList<>(List.of(parts).subList(1, parts.length));
        Collections.reverse(address);
        boolean v4 = address.size() == 4 && address.stream().allMatch(RpzTriggers::isDecimalOctet);
        String text = v4 ? String.join(".", address) : ipv6(address);
        try {
            return Cidr.parse(text + "/" + prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rpz-ip trigger '" + labels + "': " + e.getMessage());
        }
    }

    private static int prefixLength(String label, String labels) {
        if (!FeedText.isDigits(label, 3)) {
            throw new IllegalArgumentException("rpz-ip trigger '" + labels + "' does not start with a prefix length");
        }
        return Integer.parseInt(label);
    }

    private static String ipv6(List<String> groups) {
        String text = String.join(":", groups).replace("zz", "");
        if (text.isEmpty()) {
            return "::";
        }
        if (text.startsWith(":") && !text.startsWith("::")) {
            text = ":" + text;
        }
        if (text.endsWith(":") && !text.endsWith("::")) {
            text = text + ":";
        }
        return text;
    }

    private static boolean isDecimalOctet(String label) {
        return FeedText.isDigits(label, 3) && Integer.parseInt(label) <= 255;
    }
}
