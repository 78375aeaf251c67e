package dev.loupe.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One mirror destination. {@code type} decides which fields apply:
 * <ul>
 *   <li>{@code pcap-file}: {@code directory}, {@code format} (pcap|pcapng), {@code rotate-bytes},
 *       {@code rotate-age}, {@code max-files};</li>
 *   <li>{@code pcap-over-ip}: {@code address}, {@code port} (default 57012, as PolarProxy and NetworkMiner use);</li>
 *   <li>{@code interface}: {@code interfaces}, one or more Linux interfaces balanced by flow hash.</li>
 * </ul>
 */
public record MirrorSinkConfig(
        String type,
        Path directory,
        String format,
        Long rotateBytes,
        Duration rotateAge,
        Integer maxFiles,
        String address,
        Integer port,
        List<String> interfaces,
        Long bufferBytes) {

    public static final String PCAP_FILE = "pcap-file";
    public static final String PCAP_OVER_IP = "pcap-over-ip";
    public static final String INTERFACE = "interface";

    public MirrorSinkConfig {
        if (type == null) {
            throw new ConfigException("type", "", "must be one of pcap-file, pcap-over-ip, interface");
        }
        format = Check.orDefault(format, "pcap");
        rotateBytes = Check.orDefault(rotateBytes, 100L * 1024 * 1024);
        rotateAge = Check.positive("rotate-age", Check.orDefault(rotateAge, Duration.ofHours(1)));
        maxFiles = Check.range("max-files", Check.orDefault(maxFiles, 24), 1, 100_000);
        address = Check.orDefault(address, "127.0.0.1");
        port = Check.range("port", Check.orDefault(port, 57012), 0, 65535);
        interfaces = List.copyOf(Check.orDefault(interfaces, List.of()));
        bufferBytes = Check.orDefault(bufferBytes, 8L * 1024 * 1024);
        switch (type) {
            case PCAP_FILE -> {
                if (directory == null) {
                    throw new ConfigException("directory", "", "a pcap-file sink needs a directory");
                }
                if (!format.equals("pcap") && !format.equals("pcapng")) {
                    throw new ConfigException("format", format, "must be pcap or pcapng");
                }
                if (rotateBytes < 4096) {
                    throw new ConfigException("rotate-bytes", rotateBytes, "must be at least 4096");
                }
            }
            case PCAP_OVER_IP -> {
                // address and port have defaults
            }
            case INTERFACE -> {
                if (interfaces.isEmpty()) {
                    throw new ConfigException("interfaces", "[]", "an interface sink needs at least one interface");
                }
            }
            default -> throw new ConfigException("type", type, "must be one of pcap-file, pcap-over-ip, interface");
        }
    }
}
