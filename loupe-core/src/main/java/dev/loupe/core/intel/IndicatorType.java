package dev.loupe.core.intel;

/** What an indicator's value denotes, and therefore at which point of a connection it can match. */
public enum IndicatorType {
    /** A URL, matched after decryption against the full request URL. */
    URL,
    /** A DNS name, matched against the SNI / CONNECT host before decryption; may cover subdomains. */
    DOMAIN,
    /** A single IPv4 or IPv6 address, matched against the destination address. */
    IP,
    /** An IPv4 or IPv6 network, matched against the destination address. */
    CIDR
}
