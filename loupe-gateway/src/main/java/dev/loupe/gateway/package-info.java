/** Netty wiring: listeners, sniffing, upstream connections, TLS and the HTTP relay. */
package dev.loupe.gateway;
