package dev.loupe.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * For clients that cannot use an HTTP proxy (nghttp, h2load): a loopback port whose every connection becomes a
 * CONNECT tunnel through Loupe to one fixed target, then plain bytes both ways (what {@code socat}'s PROXY
 * address does). The TLS inside is the client's own, end to end with Loupe.
 */
final class ConnectForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final int proxyPort;
    private final String target;

    ConnectForwarder(int proxyPort, String target) throws IOException {
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        this.proxyPort = proxyPort;
        this.target = target;
        Thread accept = new Thread(this::accept, "connect-forwarder");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> tunnel(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void tunnel(Socket client) {
        try (client; Socket proxy = new Socket(InetAddress.getLoopbackAddress(), proxyPort)) {
            OutputStream toProxy = proxy.getOutputStream();
            toProxy.write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            toProxy.flush();
            InputStream fromProxy = proxy.getInputStream();
            String head = readHead(fromProxy);
            if (!head.startsWith("HTTP/1.1 200")) {
                return; // the client sees its connection close
            }
            Thread up = Thread.ofVirtual().start(() -> copy(client, proxy));
            copy(proxy, client);
            up.join();
        } catch (IOException | InterruptedException e) {
            // either side went away: the tunnel ends with it
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
