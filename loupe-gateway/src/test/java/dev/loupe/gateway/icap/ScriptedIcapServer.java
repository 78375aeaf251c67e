package dev.loupe.gateway.icap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An in-process ICAP server for unit tests, on a plain blocking socket: it parses each request (head,
 * encapsulated heads, chunked body with preview), answers 100 Continue when a preview does not decide, and
 * replies with whatever the script returns. What it received is recorded for assertions.
 */
final class ScriptedIcapServer implements AutoCloseable {
    /** One request as the server saw it; {@code body} is the whole de-chunked body (preview + rest). */
    record Received(String method, String head, String encapsulatedHeads, byte[] body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }
    }

    /** What to answer: {@code previewVerdict} decides after a preview (null = send 100 Continue). */
    interface Script {
        default byte[] previewVerdict(Received preview) {
            return null;
        }

        byte[] answer(Received request);
    }

    static final String OPTIONS_OK = "ICAP/1.0 200 OK\r\nMethods: RESPMOD, REQMOD\r\nISTag: \"T1\"\r\n"
            + "Allow: 204, 206\r\nPreview: 4\r\nTransfer-Preview: *\r\nEncapsulated: null-body=0\r\n\r\n";

    private final ServerSocket socket;
    private final Script script;
    private final Function<Received, byte[]> options;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();

    ScriptedIcapServer(Function<Received, byte[]> options, Script script) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.script = script;
        this.options = options;
        Thread.ofVirtual().start(this::acceptLoop);
    }

    ScriptedIcapServer(Script script) throws IOException {
        this(r -> OPTIONS_OK.getBytes(StandardCharsets.US_ASCII), script);
    }

    String uri(String service) {
        return "icap://127.0.0.1:" + socket.getLocalPort() + "/" + service;
    }

    long count(String method) {
        return received.stream().filter(r -> r.method().equals(method)).count();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                connections.incrementAndGet();
                maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String method = head.substring(0, head.indexOf(' '));
                Received partial = new Received(method, head, "", new byte[0]);
                String encapsulated = partial.header("Encapsulated");
                int bodyOffset = -1;
                int headsLength = 0;
                for (String part : encapsulated.split(",")) {
                    String[] kv = part.strip().split("=");
                    int offset = Integer.parseInt(kv[1]);
                    if (kv[0].endsWith("-body")) {
                        headsLength = offset;
                        bodyOffset = kv[0].equals("null-body") ? -1 : offset;
                    }
                }
                String heads = new String(in.readNBytes(headsLength), StandardCharsets.ISO_8859_1);
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                if (bodyOffset >= 0) {
                    boolean ieof = readChunks(in, body);
                    if (partial.header("Preview") != null && !ieof) {
                        byte[] verdict = script.previewVerdict(new Received(method, head, heads, body.toByteArray()));
                        if (verdict != null) {
                            received.add(new Received(method, head, heads, body.toByteArray()));
                            out.write(verdict);
                            out.flush();
                            continue;
                        }
                        out.write("ICAP/1.0 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        readChunks(in, body);
                    }
                }
                Received request = new Received(method, head, heads, body.toByteArray());
                received.add(request);
                byte[] answer = method.equals("OPTIONS") ? options.apply(request) : script.answer(request);
                if (answer == null) {
                    return; // hang up without a word
                }
                out.write(answer);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            open.decrementAndGet();
        }
    }

    /** Reads chunks up to the last one; true when it carried {@code ieof}. */
    private static boolean readChunks(InputStream in, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String line = readLine(in);
            int semicolon = line.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? line : line.substring(0, semicolon)).strip(), 16);
            if (size == 0) {
                readLine(in);
                return line.toLowerCase(Locale.ROOT).contains("ieof");
            }
            body.writeBytes(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (true) {
            String line;
            try {
                line = readLine(in);
            } catch (IOException eof) {
                return null;
            }
            if (line.isEmpty()) {
                return head.isEmpty() ? null : head.toString();
            }
            head.append(line).append("\r\n");
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("end of stream");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
