package dev.loupe.gateway.admin;

import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows that belongs to the running snapshot (which a reload replaces): the tools, the rules,
 * the CA, the latest reload. The gateway implements it; the admin package does not reach into the gateway.
 */
public interface OperatorView {
    /** Every ICAP service, inline service and mirror sink: kind, failure mode, and each server or device. */
    List<Map<String, Object>> tools();

    /** The policy rules in order (name, action, the conditions set), then the default action. */
    Map<String, Object> policy();

    /** The CA: subject, SHA-256 fingerprint, validity, where clients download it. */
    Map<String, Object> ca();

    /** The latest configuration reload (result, sections, message, when), null before the first. */
    Object lastReload();

    OperatorView NONE = new OperatorView() {
        @Override
        public List<Map<String, Object>> tools() {
            return List.of();
        }

        @Override
        public Map<String, Object> policy() {
            return Map.of();
        }

        @Override
        public Map<String, Object> ca() {
            return Map.of();
        }

        @Override
        public Object lastReload() {
            return null;
        }
    };
}
