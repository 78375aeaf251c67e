package dev.loupe.gateway.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Facts about this node's build that its heartbeat reports. */
public final class Nodes {
    private Nodes() {
    }

    /** The version the build stamped into {@code loupe-version.properties}, or "dev" when run from classes. */
    public static String version() {
        try (InputStream in = Nodes.class.getResourceAsStream("/loupe-version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
