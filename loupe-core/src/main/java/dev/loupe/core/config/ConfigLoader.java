package dev.loupe.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * Reads the YAML file into {@link LoupeConfig}. Every refusal becomes a {@link ConfigException}
 * whose field is the dotted path in the file, whatever layer (YAML syntax, type, record check)
 * refused it.
 */
public final class ConfigLoader {
    private final ObjectMapper mapper;

    public ConfigLoader() {
        SimpleModule module = new SimpleModule("loupe-config")
                .addDeserializer(Duration.class, new DurationDeserializer())
                .addDeserializer(Path.class, new PathDeserializer());
        this.mapper = JsonMapper.builder(new YAMLFactory())
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .addModule(module)
                .build();
    }

    public LoupeConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("(file)", file.toString(), "no such file");
        } catch (IOException e) {
            throw new ConfigException("(file)", file.toString(), "cannot be read: " + e.getMessage());
        }
        return parse(text);
    }

    public LoupeConfig parse(String yaml) {
        if (yaml.isBlank()) {
            return LoupeConfig.defaults();
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException("(yaml)", "", "not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return LoupeConfig.defaults();
        }
        try {
            return mapper.treeToValue(tree, LoupeConfig.class);
        } catch (JsonMappingException e) {
            throw translate(e, tree);
        } catch (JsonProcessingException e) {
            throw new ConfigException("(yaml)", "", e.getOriginalMessage());
        }
    }

    private static ConfigException translate(JsonMappingException e, JsonNode tree) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        Throwable cause = e.getCause();
        while (cause != null) {
            if (cause instanceof ConfigException ce) {
                return ce.under(path);
            }
            cause = cause.getCause();
        }
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", "));
            return new ConfigException(path, u.getPropertyName(), "unknown field (known: " + known + ")");
        }
        if (e instanceof InvalidFormatException f) {
            return new ConfigException(path, f.getValue(), "expected " + describe(f.getTargetType()));
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return new ConfigException(path, valueAt(tree, e), "expected " + describe(m.getTargetType()));
        }
        return new ConfigException(path.isEmpty() ? "(root)" : path, "", e.getOriginalMessage());
    }

    /** The text the operator wrote at the failing location, read back from the parsed tree. */
    private static String valueAt(JsonNode tree, JsonMappingException e) {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            pointer.append('/').append(ref.getFieldName() != null
                    ? ref.getFieldName().replace("~", "~0").replace("/", "~1") : String.valueOf(ref.getIndex()));
        }
        JsonNode node = tree.at(pointer.toString());
        return node.isValueNode() ? node.asText() : node.toString();
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == Duration.class) {
            return "a duration such as 500ms, 10s, 5m";
        }
        if (type.isRecord()) {
            return "a section (a mapping of fields)";
        }
        return type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            String text = p.getValueAsString();
            try {
                return Durations.parse(text == null ? p.getText() : text);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("", p.getText(), e.getMessage());
            }
        }
    }

    /** Paths may start with {@code ~/}, expanded to the home directory of the user running Loupe. */
    private static final class PathDeserializer extends JsonDeserializer<Path> {
        @Override
        public Path deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            String text = p.getValueAsString();
            if (text == null || text.isBlank()) {
                throw new ConfigException("", p.getText(), "expected a file path");
            }
            if (text.equals("~") || text.startsWith("~/")) {
                text = System.getProperty("user.home") + text.substring(1);
            }
            return Path.of(text);
        }
    }
}
