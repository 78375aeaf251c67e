package dev.loupe.app;

import dev.loupe.core.config.LoupeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;

/** Talks to a running node's admin API, as configured in the same file the node runs with. */
final class AdminClient {
    record Reply(int status, String body) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI base;
    private final LoupeConfig config;

    AdminClient(LoupeConfig config, Integer portOverride) {
        this.config = config;
        String host = config.admin().address();
        if (host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        } else if (host.equals("::")) {
            host = "::1";
        }
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        this.base = URI.create("http://" + host + ":" + (portOverride != null ? portOverride : config.admin().port()));
    }

    Reply get(String path, boolean withToken, Duration timeout) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), withToken, timeout);
    }

    Reply post(String path, Duration timeout) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.noBody()), true,
                timeout);
    }

    URI base() {
        return base;
    }

    private Reply send(HttpRequest.Builder request, boolean withToken, Duration timeout)
            throws IOException, InterruptedException {
        request.timeout(timeout);
        if (withToken) {
            request.header("Authorization", "Bearer " + token());
        }
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    private String token() throws IOException {
        var file = config.admin().tokenFile(config.dataDir());
        try {
            return Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            throw new IOException("no admin token at " + file + " (is the node running with this configuration?)");
        }
    }
}
