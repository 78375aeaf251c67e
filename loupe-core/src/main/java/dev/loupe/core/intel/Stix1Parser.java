package dev.loupe.core.intel;

import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * STIX 1.x packages (1.0.1, 1.1.1, 1.2: the XML that Trend Micro, many ISACs and older TAXII 1 servers export).
 * Reads indicators whose observables are CybOX URI (URL), DomainName and Address (ipv4-addr, ipv6-addr, cidr)
 * objects with {@code Equals} conditions (one value, or a {@code ##comma##} list with {@code apply_condition}
 * ANY), inline, by {@code idref} to a package-level observable, or in an OR composition. Everything else is
 * counted as skipped with its reason. {@code Valid_Time_Position} is honoured: an indicator not valid yet or
 * any more is skipped, and its end time becomes the indicator's expiry.
 *
 * <p>Elements are matched by local name, so the namespace versions of STIX 1.0 to 1.2 (and CybOX 1/2, whose
 * 1.0 spelling is {@code Defined_Object}) all read. The XML parser refuses any DOCTYPE (no entity expansion:
 * no billion laughs, no external entities) and fetches nothing.
 */
public final class Stix1Parser {
    private static final String DELIMITER = "##comma##";

    private Stix1Parser() {
    }

    public static ParseResult parse(String text, String source, Instant now) {
        ParseCollector out = new ParseCollector(source, now);
        Document doc;
        try {
            doc = builder().parse(new InputSource(new StringReader(text == null ? "" : text)));
        } catch (SAXException e) {
            out.problem(0, "not STIX 1.x XML: " + e.getMessage());
            return out.result();
        } catch (java.io.IOException | ParserConfigurationException e) {
            out.problem(0, "cannot read the XML: " + e.getMessage());
            return out.result();
        }
        Element root = doc.getDocumentElement();
        if (!root.getLocalName().equals("STIX_Package")) {
            out.problem(0, "root element is " + root.getLocalName() + ", not STIX_Package");
            return out.result();
        }
        Map<String, Element> observables = packageObservables(root);
        List<Element> indicators = descendants(root, "Indicator");
        for (int n = 0; n < indicators.size(); n++) {
            Element indicator = indicators.get(n);
            if (!isIndicator(indicator)) {
                continue;
            }
            new One(indicator, n + 1, observables, out).read();
        }
        return out.result();
    }

    /** One indicator: its validity, confidence and observables. */
    private record One(Element indicator, int position, Map<String, Element> observables, ParseCollector out) {
        void read() {
            String where = where();
            if (!indicator.getAttribute("idref").isEmpty()) {
                out.skip("indicator by idref");
                return;
            }
            if (child(indicator, "Composite_Indicator_Expression") != null) {
                out.skip("composite indicator expression");
                return;
            }
            Instant expires;
            try {
                Validity validity = validity();
                if (validity.notYet()) {
                    out.skip("not valid yet");
                    return;
                }
                if (validity.expired()) {
                    out.skip("expired");
                    return;
                }
                expires = validity.end();
            } catch (IllegalArgumentException e) {
                out.problem(0, where + ": " + e.getMessage());
                return;
            }
            List<Element> found = children(indicator, "Observable");
            if (found.isEmpty()) {
                out.skip("indicator without an observable");
                return;
            }
            int risk = risk();
            for (Element observable : found) {
                observable(observable, risk, expires, where, 0);
            }
        }

        private void observable(Element observable, int risk, Instant expires, String where, int depth) {
            String idref = observable.getAttribute("idref");
            if (!idref.isEmpty()) {
                Element target = observables.get(idref);
                if (target == null || depth > 4) {
                    out.problem(0, where + ": observable idref " + idref + " names no observable of the package");
                    return;
                }
                observable(target, risk, expires, where, depth + 1);
                return;
            }
            Element composition = child(observable, "Observable_Composition");
            if (composition != null) {
                String operator = composition.getAttribute("operator").toUpperCase(Locale.ROOT);
                if (!operator.equals("OR")) {
                    out.skip("observable composition " + (operator.isEmpty() ? "(no operator)" : operator));
                    return;
                }
                for (Element inner : children(composition, "Observable")) {
                    if (depth < 4) {
                        observable(inner, risk, expires, where, depth + 1);
                    }
                }
                return;
            }
            Element object = child(observable, "Object");
            Element properties = object == null ? null : child(object, "Properties");
            if (properties == null && object != null) {
                properties = child(object, "Defined_Object"); // CybOX 1.0 (STIX 1.0)
            }
            if (properties == null) {
                out.skip(child(observable, "Event") != null ? "observable event" : "observable without an object");
                return;
            }
            String type = localType(properties.getAttributeNS(XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI, "type"));
            switch (type) {
                case "URIObjectType" -> {
                    String uriType = properties.getAttribute("type");
                    if (!uriType.isEmpty() && !uriType.equals("URL")) {
                        out.skip("URI type " + uriType);
                        return;
                    }
                    values(child(properties, "Value"), IndicatorType.URL, risk, expires, where);
                }
                case "DomainNameObjectType" -> values(child(properties, "Value"), IndicatorType.DOMAIN, risk, expires,
                        where);
                case "AddressObjectType" -> {
                    String category = properties.getAttribute("category");
                    IndicatorType t = switch (category.isEmpty() ? "ipv4-addr" : category) {
                        case "ipv4-addr", "ipv6-addr" -> IndicatorType.IP;
                        case "cidr", "ipv4-net", "ipv6-net" -> IndicatorType.CIDR;
                        default -> null;
                    };
                    if (t == null) {
                        out.skip("address category " + category);
                        return;
                    }
                    values(child(properties, "Address_Value"), t, risk, expires, where);
                }
                default -> out.skip("object type " + (type.isEmpty() ? "(none)" : type));
            }
        }

        private void values(Element value, IndicatorType type, int risk, Instant expires, String where) {
            if (value == null) {
                out.problem(0, where + ": " + type.name().toLowerCase(Locale.ROOT) + " object without a value");
                return;
            }
            String condition = value.getAttribute("condition");
            if (!condition.isEmpty() && !condition.equals("Equals")) {
                out.skip("condition " + condition);
                return;
            }
            String text = value.getTextContent().strip();
            String apply = value.getAttribute("apply_condition");
            List<String> items = text.contains(DELIMITER) ? List.of(text.split(DELIMITER)) : List.of(text);
            if (items.size() > 1 && apply.equals("ALL")) {
                out.skip("apply_condition ALL");
                return;
            }
            for (String item : items) {
                String v = item.strip();
                if (v.isEmpty()) {
                    out.problem(0, where + ": empty value");
                } else {
                    try {
                        out.add(new Indicator(type, v, false, out.source(), risk, out.now(), out.now(), expires));
                    } catch (IllegalArgumentException e) {
                        out.problem(0, where + ": " + e.getMessage());
                    }
                }
            }
        }

        private Validity validity() {
            List<Element> windows = children(indicator, "Valid_Time_Position");
            if (windows.isEmpty()) {
                return new Validity(false, false, null);
            }
            Instant now = out.now();
            boolean anyStarted = false;
            boolean anyOpen = false;
            Instant latestEnd = null;
            for (Element window : windows) {
                Instant start = time(child(window, "Start_Time"));
                Instant end = time(child(window, "End_Time"));
                boolean started = start == null || !now.isBefore(start);
                boolean open = end == null || now.isBefore(end);
                anyStarted |= started;
                anyOpen |= started && open;
                if (started && open && end != null && (latestEnd == null || end.isAfter(latestEnd))) {
                    latestEnd = end;
                }
                if (started && open && end == null) {
                    return new Validity(false, false, null);
                }
            }
            return new Validity(!anyStarted, anyStarted && !anyOpen, latestEnd);
        }

        private int risk() {
            Element confidence = child(indicator, "Confidence");
            Element value = confidence == null ? null : child(confidence, "Value");
            if (value == null) {
                return 80;
            }
            return switch (value.getTextContent().strip().toLowerCase(Locale.ROOT)) {
                case "high" -> 90;
                case "medium" -> 60;
                case "low" -> 30;
                default -> ParseCollector.DEFAULT_RISK;
            };
        }

        private String where() {
            String id = indicator.getAttribute("id");
            return "indicator " + position + (id.isEmpty() ? "" : " (" + id + ")");
        }
    }

    private record Validity(boolean notYet, boolean expired, Instant end) {
    }

    private static Instant time(Element e) {
        if (e == null || e.getTextContent().isBlank()) {
            return null;
        }
        return FeedText.timestamp(e.getTextContent());
    }

    private static boolean isIndicator(Element e) {
        // stix:Indicator in stix:Indicators, or indicator:Indicator (STIX 1.0 nesting); not indicator:Indicator
        // references inside Related_Indicators, which the idref check skips
        Node parent = e.getParentNode();
        return parent instanceof Element p && (p.getLocalName().equals("Indicators")
                || p.getLocalName().equals("STIX_Package"));
    }

    private static Map<String, Element> packageObservables(Element root) {
        Map<String, Element> byId = new HashMap<>();
        Element observables = child(root, "Observables");
        if (observables != null) {
            for (Element o : children(observables, "Observable")) {
                if (!o.getAttribute("id").isEmpty()) {
                    byId.put(o.getAttribute("id"), o);
                }
            }
        }
        return byId;
    }

    private static String localType(String xsiType) {
        int colon = xsiType.indexOf(':');
        return colon >= 0 ? xsiType.substring(colon + 1) : xsiType;
    }

    private static Element child(Element parent, String localName) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName.equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String localName) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName.equals(e.getLocalName())) {
                out.add(e);
            }
        }
        return out;
    }

    private static List<Element> descendants(Element root, String localName) {
        List<Element> out = new ArrayList<>();
        var list = root.getElementsByTagNameNS("*", localName);
        for (int i = 0; i < list.getLength(); i++) {
            out.add((Element) list.item(i));
        }
        return out;
    }

    private static DocumentBuilder builder() throws ParserConfigurationException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null); // errors are thrown, not printed to stderr
        return b;
    }
}
