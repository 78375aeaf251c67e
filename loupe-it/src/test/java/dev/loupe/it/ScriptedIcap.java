package dev.loupe.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A vendor's ICAP server in a few lines of Python (/usr/bin/python3): OPTIONS, then every RESPMOD answered with
 * either a 403 page carrying the verdict headers such products send ({@code block}) or 204 ({@code allow}).
 * Each request's ICAP head and encapsulated HTTP heads are appended to {@code <name>-requests.log} in {@code dir}.
 */
final class ScriptedIcap {
    private ScriptedIcap() {
    }

    static Process start(Path dir, String name, int port, boolean block) throws Exception {
        Path script = dir.resolve("scripted_icap.py");
        if (!Files.exists(script)) {
            Files.writeString(script, SCRIPT);
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), String.valueOf(port),
                dir.resolve(name + "-requests.log").toString(), block ? "block" : "allow")
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start();
        Partners.awaitPort(port, 10_000);
        return p;
    }

    private static final String SCRIPT = """
            import socket, sys, threading
            port, log, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
            def read_head(f):
                lines = []
                while True:
                    line = f.readline()
                    if not line:
                        return None
                    if line in (b"\\r\\n", b"\\n"):
                        return b"".join(lines)
                    lines.append(line)
            def skip_chunks(f):
                while True:
                    size = f.readline()
                    if not size:
                        return
                    n = int(size.split(b";")[0].strip() or b"0", 16)
                    if n == 0:
                        f.readline()
                        return
                    f.read(n + 2)
            def serve(c):
                f = c.makefile("rb")
                while True:
                    head = read_head(f)
                    if head is None:
                        break
                    if head.startswith(b"OPTIONS"):
                        c.sendall(b"ICAP/1.0 200 OK\\r\\nMethods: RESPMOD, REQMOD\\r\\nISTag: \\"scripted-1\\"\\r\\n"
                                  b"Allow: 204\\r\\nPreview: 0\\r\\nEncapsulated: null-body=0\\r\\n\\r\\n")
                        continue
                    enc = [l for l in head.split(b"\\r\\n") if l.lower().startswith(b"encapsulated:")][0]
                    parts = dict(p.strip().split(b"=") for p in enc.split(b":", 1)[1].split(b","))
                    heads = [read_head(f) for k in parts if k not in (b"res-body", b"req-body", b"null-body")]
                    with open(log, "ab") as out:
                        out.write(head + b"\\r\\n" + b"\\r\\n".join(h or b"" for h in heads) + b"\\r\\n----\\r\\n")
                    if b"res-body" in parts or b"req-body" in parts:
                        skip_chunks(f)
                    if mode == "allow":
                        c.sendall(b"ICAP/1.0 204 No Content\\r\\nISTag: \\"scripted-1\\"\\r\\nEncapsulated: null-body=0\\r\\n\\r\\n")
                        continue
                    body = b"blocked by the scripted vendor\\n"
                    http = (b"HTTP/1.1 403 Forbidden\\r\\nContent-Type: text/plain\\r\\nContent-Length: "
                            + str(len(body)).encode() + b"\\r\\n\\r\\n")
                    c.sendall(b"ICAP/1.0 200 OK\\r\\nISTag: \\"scripted-1\\"\\r\\nX-Virus-ID: Scripted.Trojan.42\\r\\n"
                              b"X-Blocked-Reason: Malware Sites\\r\\nX-Response-Info: BLOCKED\\r\\n"
                              b"Encapsulated: res-hdr=0, res-body=" + str(len(http)).encode() + b"\\r\\n\\r\\n"
                              + http + hex(len(body))[2:].encode() + b"\\r\\n" + body + b"\\r\\n0\\r\\n\\r\\n")
                c.close()
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port)); s.listen(16)
            while True:
                c, _ = s.accept()
                threading.Thread(target=serve, args=(c,), daemon=True).start()
            """;
}
