package dev.loupe.core.policy;

/** Reads the CN out of an RFC 2253 distinguished name, as printed by {@code X500Principal.getName()}. */
final class DistinguishedNames {
    private DistinguishedNames() {
    }

    /** The first CN value (RFC 2253 puts the most specific RDN first), unescaped; null if none. */
    static String commonName(String dn) {
        int start = 0;
        while (start < dn.length()) {
            int end = endOfAttribute(dn, start);
            String attribute = dn.substring(start, end).strip();
            int eq = attribute.indexOf('=');
            if (eq > 0) {
                String type = attribute.substring(0, eq).strip();
                if (type.equalsIgnoreCase("CN") || type.equals("2.5.4.3")) {
                    return unescape(attribute.substring(eq + 1).strip());
                }
            }
            start = end + 1;
        }
        return null;
    }

    /** Index of the next unescaped ',' or '+' (both separate attributes), or the end. */
    private static int endOfAttribute(String dn, int from) {
        for (int i = from; i < dn.length(); i++) {
            char c = dn.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ',' || c == '+') {
                return i;
            }
        }
        return dn.length();
    }

    private static String unescape(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                c = value.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }
}
