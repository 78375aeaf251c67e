package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through Loupe, decrypted and inspected as HTTP/2, with Debian's python3-grpcio on both ends. The client
 * offers ALPN {@code grpc-exp, h2}; Loupe offers the origin only {@code h2} (what it can inspect), so the calls
 * are real h2 exchanges in the log, not opaque bytes. Every call type, trailers, an error status, a deadline and
 * a 3 MiB message.
 */
class GrpcIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;
    static Process server;
    static int port;
    static final Map<String, JsonNode> results = new HashMap<>();
    static String clientOutput;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, "");
        Path script = dir.resolve("grpc_echo.py");
        try (var in = GrpcIT.class.getResourceAsStream("/grpc/grpc_echo.py")) {
            Files.write(script, in.readAllBytes());
        }
        port = Partners.freePort();
        Path serverOut = dir.resolve("grpc-server.out");
        server = new ProcessBuilder(python(), script.toString(), "server", String.valueOf(port),
                origins.dir.resolve("GOOD.crt").toString(), origins.dir.resolve("GOOD.key").toString())
                .redirectErrorStream(true).redirectOutput(serverOut.toFile()).start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (!Files.readString(serverOut).contains("ready")) {
            assertThat(server.isAlive()).as(Files.readString(serverOut)).isTrue();
            assertThat(System.currentTimeMillis()).as("gRPC server start").isLessThan(deadline);
            Thread.sleep(50);
        }
        Process client = new ProcessBuilder(python(), script.toString(), "client", Origins.HOST + ":" + port,
                loupe.caPem.toString(), loupe.proxy())
                .redirectErrorStream(true).start();
        clientOutput = new String(client.getInputStream().readAllBytes());
        assertThat(client.waitFor(120, TimeUnit.SECONDS)).isTrue();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : clientOutput.lines().toList()) {
            if (line.startsWith("{")) {
                JsonNode n = mapper.readTree(line);
                results.put(n.path("case").asText(), n);
            }
        }
    }

    /** Debian's interpreter: python3-grpcio is installed for it, not for another python3 on PATH. */
    private static String python() {
        assertThat(Path.of("/usr/bin/python3")).as("Debian's python3 (with python3-grpcio)").exists();
        return "/usr/bin/python3";
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        Partners.closeAll(loupe, origins);
    }

    private static JsonNode result(String name) {
        assertThat(results).as("client output:\n" + clientOutput).containsKey(name);
        return results.get(name);
    }

    @Test
    void aUnaryCallReturnsItsReplyAndTrailers() {
        JsonNode unary = result("unary");
        assertThat(unary.path("reply").asText()).isEqualTo("hello");
        assertThat(unary.path("code").asText()).isEqualTo("OK");
        assertThat(unary.path("trailers").path("x-echo-trailer").asText()).isEqualTo("unary-done");
    }

    @Test
    void largeMessagesErrorStatusesAndDeadlinesPassUnchanged() {
        assertThat(result("large").path("same").asBoolean()).isTrue();
        assertThat(result("error").path("code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(result("error").path("details").asText()).isEqualTo("told to fail");
        assertThat(result("deadline").path("code").asText()).isEqualTo("DEADLINE_EXCEEDED");
    }

    @Test
    void streamsOfEveryKindArriveWholeAndInOrder() {
        assertThat(result("server-stream").path("count").asInt()).isEqualTo(10_000);
        assertThat(result("server-stream").path("last").asText()).isEqualTo("message-9999");
        assertThat(result("client-stream").path("reply").asText()).isEqualTo("1000 messages, 100000 bytes");
        assertThat(result("bidi").path("pongs").asInt()).as("ping-pong: nothing held back").isEqualTo(50);
    }

    @Test
    void eachCallIsLoggedAsAnExchangeOfADecryptedConnection() throws Exception {
        var records = loupe.awaitLog(n -> n.path("type").asText().equals("exchange")
                && n.path("url").asText().endsWith("/p2.Echo/Bidi"));
        long calls = records.stream().filter(n -> n.path("type").asText().equals("exchange")
                && n.path("url").asText().contains("/p2.Echo/")).count();
        assertThat(calls).as("one line per call").isEqualTo(7);
        JsonNode unary = records.stream().filter(n -> n.path("url").asText()
                .equals("https://" + Origins.HOST + ":" + port + "/p2.Echo/Unary")).findFirst().orElseThrow();
        assertThat(unary.path("method").asText()).isEqualTo("POST");
        assertThat(unary.path("status").asInt()).isEqualTo(200);
        assertThat(unary.path("protocol").asText()).isEqualTo("HTTP/2");
        assertThat(unary.path("grpc_status").asText()).as("from the trailers").isEqualTo("0");
        // the failed call answers trailers-only: its status is in the response head
        assertThat(records.stream().filter(n -> n.path("url").asText().endsWith("/p2.Echo/Unary"))
                .map(n -> n.path("grpc_status").asText()).toList()).contains("3");
    }
}
