package dev.loupe.core.tls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * JA3 / JA3S (Salesforce) and JA4 / JA4S (FoxIO) fingerprints of a TLS handshake, from the parsed hellos.
 * GREASE values (RFC 8701) are ignored everywhere, as both specifications say. The test vectors are real hellos
 * captured from curl, openssl and Chromium, with the values tshark 4.0 (JA3, JA3S) and Suricata 7.0 (JA3, JA4)
 * computed from the same bytes.
 */
public final class TlsFingerprints {
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> digest("MD5"));
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> digest("SHA-256"));
    private static final String EMPTY_HASH = "000000000000";

    private TlsFingerprints() {
    }

    /** RFC 8701: 0x0a0a, 0x1a1a, … 0xfafa. */
    public static boolean isGrease(int value) {
        return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
    }

    /** {@code SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats}, decimal, dash-joined. */
    public static String ja3String(ClientHello h) {
        return h.legacyVersion() + "," + decimals(h.cipherSuites()) + "," + decimals(h.extensionTypes()) + ","
                + decimals(h.supportedGroups()) + "," + decimals(h.ecPointFormats());
    }

    public static String ja3(ClientHello h) {
        return md5(ja3String(h));
    }

    public static String ja3sString(ServerHello s) {
        return s.legacyVersion() + "," + s.cipherSuite() + "," + decimals(s.extensionTypes());
    }

    public static String ja3s(ServerHello s) {
        return md5(ja3sString(s));
    }

    /** e.g. {@code t13d1516h2_8daaf6152771_e5627efa2ab1}: over TCP, so always "t". */
    public static String ja4(ClientHello h) {
        List<Integer> ciphers = withoutGrease(h.cipherSuites());
        List<Integer> extensions = withoutGrease(h.extensionTypes());
        int version = highest(h.supportedVersions(), h.legacyVersion());
        String a = "t" + version(version) + (h.serverName() != null ? "d" : "i") + count(ciphers.size())
                + count(extensions.size()) + alpn(h.alpnProtocols().isEmpty() ? null : h.alpnProtocols().get(0));
        String b = ciphers.isEmpty() ? EMPTY_HASH : sha256Prefix(hexList(sorted(ciphers)));
        List<Integer> hashed = new ArrayList<>(extensions);
        hashed.removeIf(t -> t == ClientHelloExtensions.SERVER_NAME || t == ClientHelloExtensions.ALPN);
        String c;
        if (hashed.isEmpty()) {
            c = EMPTY_HASH;
        } else {
            List<Integer> sigs = withoutGrease(h.signatureAlgorithms());
            c = sha256Prefix(hexList(sorted(hashed)) + (sigs.isEmpty() ? "" : "_" + hexList(sigs)));
        }
        return a + "_" + b + "_" + c;
    }

    /** e.g. {@code t130200_1301_234ea6891581}: extensions in the server's order, none removed. */
    public static String ja4s(ServerHello s) {
        List<Integer> extensions = withoutGrease(s.extensionTypes());
        int version = s.selectedVersion() != 0 ? s.selectedVersion() : s.legacyVersion();
        String a = "t" + version(version) + count(extensions.size()) + alpn(s.alpn());
        String c = extensions.isEmpty() ? EMPTY_HASH : sha256Prefix(hexList(extensions));
        return a + "_" + String.format("%04x", s.cipherSuite()) + "_" + c;
    }

    /** JA4's part c input, for tests and operators comparing with other tools' "raw" output. */
    static String ja4sRawExtensions(ServerHello s) {
        return hexList(withoutGrease(s.extensionTypes()));
    }

    private static String version(int v) {
        return switch (v) {
            case 0x0304 -> "13";
            case 0x0303 -> "12";
            case 0x0302 -> "11";
            case 0x0301 -> "10";
            case 0x0300 -> "s3";
            case 0x0002 -> "s2";
            case 0xfeff -> "d1";
            case 0xfefd -> "d2";
            case 0xfefc -> "d3";
            default -> "00";
        };
    }

    /** First and last character of the first ALPN value; their hex digits when either is not alphanumeric. */
    static String alpn(String value) {
        if (value == null || value.isEmpty()) {
            return "00";
        }
        char first = value.charAt(0);
        char last = value.charAt(value.length() - 1);
        if (alphanumeric(first) && alphanumeric(last)) {
            return "" + first + last;
        }
        String hex = HEX.formatHex(value.getBytes(StandardCharsets.ISO_8859_1));
        return "" + hex.charAt(0) + hex.charAt(hex.length() - 1);
    }

    private static boolean alphanumeric(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static int highest(List<Integer> versions, int fallback) {
        int best = -1;
        for (int v : versions) {
            if (!isGrease(v) && v > best) {
                best = v;
            }
        }
        return best < 0 ? fallback : best;
    }

    private static String count(int n) {
        int c = Math.min(n, 99);
        return c < 10 ? "0" + c : Integer.toString(c);
    }

    private static List<Integer> withoutGrease(List<Integer> values) {
        List<Integer> out = new ArrayList<>(values.size());
        for (int v : values) {
            if (!isGrease(v)) {
                out.add(v);
            }
        }
        return out;
    }

    private static List<Integer> sorted(List<Integer> values) {
        List<Integer> out = new ArrayList<>(values);
        out.sort(null);
        return out;
    }

    private static String decimals(List<Integer> values) {
        StringBuilder sb = new StringBuilder();
        for (int v : values) {
            if (!isGrease(v)) {
                sb.append(sb.isEmpty() ? "" : "-").append(v);
            }
        }
        return sb.toString();
    }

    private static String hexList(List<Integer> values) {
        StringBuilder sb = new StringBuilder(values.size() * 5);
        for (int v : values) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(HEX.toHexDigits((short) v));
        }
        return sb.toString();
    }

    private static String md5(String text) {
        MessageDigest md = MD5.get();
        md.reset();
        return HEX.formatHex(md.digest(text.getBytes(StandardCharsets.US_ASCII)));
    }

    static String sha256Prefix(String text) {
        MessageDigest md = SHA256.get();
        md.reset();
        return HEX.formatHex(md.digest(text.getBytes(StandardCharsets.US_ASCII))).substring(0, 12);
    }

    private static MessageDigest digest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name + " is part of every JDK", e);
        }
    }
}
