package dev.loupe.core.policy;

import dev.loupe.core.net.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * One compiled condition of a rule. {@link #matches} runs for every connection and rule, so it
 * compares precompiled values without building strings; {@link #explain} runs only for the rule that
 * decided, to say in the verdict which value matched.
 */
interface Condition {

    boolean matches(ConnectionFacts facts);

    /** Called only after {@link #matches} returned true for the same facts. */
    String explain(ConnectionFacts facts);

    static NamePattern firstMatch(NamePattern[] patterns, String text) {
        for (NamePattern p : patterns) {
            if (p.matches(text)) {
                return p;
            }
        }
        return null;
    }

    /** The client's ClientHello fingerprint (JA3 or JA4) is one of {@code wanted} (lower-case). */
    record Fingerprint(String label, java.util.function.Function<ConnectionFacts, String> of, Set<String> wanted)
            implements Condition {
        @Override
        public boolean matches(ConnectionFacts facts) {
            String value = of.apply(facts);
            return value != null && wanted.contains(value);
        }

        @Override
        public String explain(ConnectionFacts facts) {
            return label + " " + of.apply(facts);
        }
    }

    record Host(NamePattern[] patterns) implements Condition {
        @Override
        public boolean matches(ConnectionFacts facts) {
            String host = facts.host();
            return host != null && firstMatch(patterns, host) != null;
        }

        @Override
        public String explain(ConnectionFacts facts) {
            return "host " + facts.host() + " matched " + firstMatch(patterns, facts.host()).source();
        }
    }

    /** {@code destination} picks which address: the client's or the (possibly unknown) server's. */
    record Network(String label, boolean destination, Cidr[] networks) implements Condition {
        @Override
        public boolean matches(ConnectionFacts facts) {
            return firstContaining(address(facts)) != null;
        }

        @Override
        public String explain(ConnectionFacts facts) {
            InetAddress a = address(facts);
            return label + " " + a.getHostAddress() + " in " + firstContaining(a);
        }

        private InetAddress address(ConnectionFacts facts) {
            return destination ? facts.destination() : facts.client();
        }

        private Cidr firstContaining(InetAddress address) {
            if (address != null) {
                for (Cidr c : networks) {
                    if (c.contains(address)) {
                        return c;
                    }
                }
            }
            return null;
        }
    }

    record Port(int[] ports) implements Condition {
        @Override
        public boolean matches(ConnectionFacts facts) {
            for (int p : ports) {
                if (p == facts.destinationPort()) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String explain(ConnectionFacts facts) {
            return "port " + facts.destinationPort();
        }
    }

    record Alpn(String[] protocols) implements Condition {
        @Override
        public boolean matches(ConnectionFacts facts) {
            return firstOffered(facts.alpnOffered()) != null;
        }

        @Override
        public String explain(ConnectionFacts facts) {
            return "ALPN " + firstOffered(facts.alpnOffered()) + " offered";
        }

        private String firstOffered(List<String> offered) {
            for (int i = 0; i < offered.size(); i++) {
                for (String p : protocols) {
                    if (p.equals(offered.get(i))) {
                        return p;
                    }
                }
            }
            return null;
        }
    }

    record Listener(String[] names) implements Condition {
        @Override
        public boolean matches(ConnectionFacts facts) {
            for (String n : names) {
                if (n.equals(facts.listener())) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String explain(ConnectionFacts facts) {
            return "listener " + facts.listener();
        }
    }

    record Category(String[] wanted, CategoryList list) implements Condition {
        @Override
        public boolean matches(ConnectionFacts facts) {
            return firstCategory(facts) != null;
        }

        @Override
        public String explain(ConnectionFacts facts) {
            return "category " + firstCategory(facts);
        }

        private String firstCategory(ConnectionFacts facts) {
            if (facts.host() == null) {
                return null;
            }
            Set<String> categories = list.categoriesOf(facts.host());
            for (String c : wanted) {
                if (categories.contains(c)) {
                    return c;
                }
            }
            return null;
        }
    }
}
