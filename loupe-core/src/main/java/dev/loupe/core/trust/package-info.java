/**
 * Browser-equivalent validation of the certificate chain an upstream server presents. The gateway
 * handshakes with a trust-everything manager and asks this package for a verdict before sending a
 * single application byte, so a rejection can be shown to the client with a precise reason.
 */
package dev.loupe.core.trust;
