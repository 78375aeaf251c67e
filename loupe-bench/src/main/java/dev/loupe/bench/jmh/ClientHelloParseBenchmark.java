package dev.loupe.bench.jmh;

import dev.loupe.core.tls.ClientHelloParse;
import dev.loupe.core.tls.ClientHelloParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of recognising a real captured ClientHello (Chromium with GREASE, ECH and an X25519MLKEM768 key
 * share: 1929 bytes; curl with padding: 517 bytes), as the gateway does for every intercepted connection.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClientHelloParseBenchmark {
    @Param({"chromium", "curl"})
    public String capture;

    private ByteBuffer hello;

    @Setup
    public void load() throws IOException {
        String resource = "/clienthello/" + capture + ".bin";
        try (InputStream in = ClientHelloParseBenchmark.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing resource " + resource);
            }
            byte[] bytes = in.readAllBytes();
            hello = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        }
        if (!(ClientHelloParser.parse(hello) instanceof ClientHelloParse.Complete)) {
            throw new IllegalStateException(resource + " does not parse as a complete ClientHello");
        }
    }

    @Benchmark
    public ClientHelloParse parse() {
        return ClientHelloParser.parse(hello);
    }
}
