package dev.loupe.core.log;

/**
 * The TLS fingerprints of one connection, as logged: JA3 and JA4 of the client's ClientHello, JA3S and JA4S of
 * the upstream server's ServerHello (null when there was none to see).
 */
public record HandshakeFingerprints(String ja3, String ja4, String ja3s, String ja4s) {
    public HandshakeFingerprints withServer(String ja3s, String ja4s) {
        return new HandshakeFingerprints(ja3, ja4, ja3s, ja4s);
    }
}
