package dev.loupe.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Captured hellos and a small byte-level builder for hand-made (often deliberately broken) ones. */
final class ClientHelloFixtures {
    /** Resources under {@code clienthello/}; see README.txt there for how each was captured. */
    static final List<String> CAPTURES = List.of(
            "openssl-sni-alpn.bin", "openssl-nosni.bin", "openssl-tls12.bin", "curl.bin", "chromium.bin");

    private ClientHelloFixtures() {
    }

    static byte[] capture(String name) {
        try (InputStream in = ClientHelloFixtures.class.getResourceAsStream("/clienthello/" + name)) {
            assertThat(in).as("resource clienthello/" + name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ClientHelloParse parse(byte[] bytes) {
        return ClientHelloParser.parse(ByteBuffer.wrap(bytes));
    }

    static ClientHello parseComplete(byte[] bytes) {
        ClientHelloParse result = parse(bytes);
        assertThat(result).isInstanceOf(ClientHelloParse.Complete.class);
        return ((ClientHelloParse.Complete) result).hello();
    }

    static String malformedReason(byte[] bytes) {
        ClientHelloParse result = parse(bytes);
        assertThat(result).isInstanceOf(ClientHelloParse.Malformed.class);
        return ((ClientHelloParse.Malformed) result).reason();
    }

    /** Concatenates the fragments of consecutive handshake records, dropping their headers. */
    static byte[] handshakeBytes(byte[] records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at + 5 <= records.length && records[at] == 0x16) {
            int length = (records[at + 3] & 0xFF) << 8 | records[at + 4] & 0xFF;
            out.write(records, at + 5, length);
            at += 5 + length;
        }
        return out.toByteArray();
    }

    /** Splits a handshake message into handshake records carrying at most {@code recordSize} bytes each. */
    static byte[] inRecords(byte[] message, int recordSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < message.length; at += recordSize) {
            int length = Math.min(recordSize, message.length - at);
            out.writeBytes(new byte[] {0x16, 3, 1, (byte) (length >> 8), (byte) length});
            out.write(message, at, length);
        }
        return out.toByteArray();
    }

    static byte[] record(int contentType, byte[] fragment) {
        return concat(new byte[] {(byte) contentType, 3, 1}, u16(fragment.length), fragment);
    }

    static byte[] handshake(int type, byte[] body) {
        return concat(new byte[] {(byte) type}, u24(body.length), body);
    }

    /** A ClientHello record offering TLS_AES_128_GCM_SHA256 with the given extensions. */
    static byte[] hello(byte[]... extensions) {
        return record(0x16, handshake(1, helloBody(u16(0x1301), extensions)));
    }

    static byte[] helloBody(byte[] cipherSuites, byte[]... extensions) {
        byte[] block = concat(extensions);
        return concat(u16(0x0303), new byte[32], new byte[] {0}, u16Prefixed(cipherSuites),
                new byte[] {1, 0}, u16Prefixed(block));
    }

    /** legacy_version, random and an empty session_id, the part of a hello tests rarely vary. */
    static byte[] helloPrefix() {
        return concat(u16(0x0303), new byte[32], new byte[] {0});
    }

    static byte[] extension(int type, byte[] body) {
        return concat(u16(type), u16(body.length), body);
    }

    static byte[] sni(String host) {
        return extension(0, u16Prefixed(concat(new byte[] {0}, u16Prefixed(ascii(host)))));
    }

    static byte[] alpn(String... protocols) {
        byte[][] entries = new byte[protocols.length][];
        for (int i = 0; i < protocols.length; i++) {
            entries[i] = concat(new byte[] {(byte) protocols[i].length()}, ascii(protocols[i]));
        }
        return extension(16, u16Prefixed(concat(entries)));
    }

    static byte[] supportedVersions(int... versions) {
        byte[] list = new byte[versions.length * 2];
        for (int i = 0; i < versions.length; i++) {
            list[2 * i] = (byte) (versions[i] >> 8);
            list[2 * i + 1] = (byte) versions[i];
        }
        return extension(43, concat(new byte[] {(byte) list.length}, list));
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] u16(int value) {
        return new byte[] {(byte) (value >> 8), (byte) value};
    }

    static byte[] u24(int value) {
        return new byte[] {(byte) (value >> 16), (byte) (value >> 8), (byte) value};
    }

    static byte[] u16Prefixed(byte[] body) {
        return concat(u16(body.length), body);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
