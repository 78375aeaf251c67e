package dev.loupe.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Parses whatever ClientHello the locally installed openssl sends, so new client versions get noticed. */
class ClientHelloLiveOpensslTest {

    @Test
    @Timeout(30)
    void parsesHelloFromInstalledOpenssl() throws Exception {
        assumeTrue(opensslOnPath(), "openssl is not installed");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process client = new ProcessBuilder("openssl", "s_client",
                    "-connect", "127.0.0.1:" + server.getLocalPort(),
                    "-servername", "live.example.test", "-alpn", "h2,http/1.1")
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(10_000);
                ClientHelloParse result = readUntilDecided(socket.getInputStream());

                assertThat(result).isInstanceOf(ClientHelloParse.Complete.class);
                ClientHello hello = ((ClientHelloParse.Complete) result).hello();
                assertThat(hello.sni()).contains("live.example.test");
                assertThat(hello.alpnProtocols()).containsExactly("h2", "http/1.1");
                assertThat(hello.cipherSuites()).isNotEmpty();
            } finally {
                client.destroy();
                client.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Feeds the parser what TCP delivers, as the gateway will, until it stops asking for more. */
    private static ClientHelloParse readUntilDecided(InputStream in) throws Exception {
        byte[] received = new byte[0];
        byte[] chunk = new byte[4096];
        ClientHelloParse result = ClientHelloParse.NEED_MORE;
        while (result instanceof ClientHelloParse.NeedMore) {
            int n = in.read(chunk);
            assertThat(n).as("openssl closed the connection before sending a full hello").isPositive();
            received = Arrays.copyOf(received, received.length + n);
            System.arraycopy(chunk, 0, received, received.length - n, n);
            result = ClientHelloParser.parse(ByteBuffer.wrap(received));
        }
        return result;
    }

    private static boolean opensslOnPath() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Arrays.stream(path.split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "openssl")));
    }
}
