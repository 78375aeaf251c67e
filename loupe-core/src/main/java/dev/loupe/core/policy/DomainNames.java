package dev.loupe.core.policy;

/** Syntax checks for DNS names written by operators (rules and category lists). */
final class DomainNames {
    static final int MAX_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;

    private DomainNames() {
    }

    /**
     * Null when {@code name} (already lower case) is a plausible DNS name, else a reason phrased to
     * follow the name. Underscores are allowed because real hosts use them; anything a certificate
     * or resolver could not mean (spaces, slashes, non-ASCII, empty labels) is refused.
     */
    static String problem(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            return "has length " + name.length() + ", outside 1.." + MAX_LENGTH;
        }
        int labelLength = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (labelLength == 0) {
                    return "has an empty label";
                }
                labelLength = 0;
            } else if (isNameChar(c)) {
                if (++labelLength > MAX_LABEL_LENGTH) {
                    return "has a label longer than " + MAX_LABEL_LENGTH + " characters";
                }
            } else {
                return "contains '" + c + "', which is not allowed in a DNS name";
            }
        }
        return labelLength == 0 ? "ends with an empty label" : null;
    }

    static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    /** True when the last label is all digits: an IPv4 address, never a domain under a real TLD. */
    static boolean hasNumericTopLabel(String name) {
        int i = name.length() - 1;
        while (i >= 0 && name.charAt(i) != '.') {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
            i--;
        }
        return true;
    }
}
