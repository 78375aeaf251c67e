/**
 * TLS record-layer parsing that Loupe needs before it decides what to do with a connection: today,
 * reading the client's first flight to learn SNI, ALPN and offered versions. Pure functions over bytes;
 * no sockets and no Netty.
 */
package dev.loupe.core.tls;
