/**
 * Traffic tap: turns the plaintext of decrypted connections back into Ethernet/IP/TCP packets so passive
 * tools (Suricata, Zeek, Wireshark) see it as if they watched an unencrypted network, and writes those
 * packets as pcap or pcapng. Everything here is pure: frames go to a caller-supplied sink or an
 * {@link java.io.OutputStream}; sockets, files and rotation threads are wired by the gateway.
 */
package dev.loupe.core.tap;
