package dev.loupe.core.icap;

/** The three ICAP/1.0 request methods (RFC 3507 section 4.3.2). */
public enum IcapMethod {
    /** Asks a service for its capabilities (preview size, Allow, Transfer-* lists, ISTag). */
    OPTIONS,
    /** Request modification: the encapsulated message is an HTTP request. */
    REQMOD,
    /** Response modification: the encapsulated message is an HTTP response (plus, optionally, its request). */
    RESPMOD
}
