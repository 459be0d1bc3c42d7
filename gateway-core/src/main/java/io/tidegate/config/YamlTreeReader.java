package io.tidegate.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a YAML document into a {@link JsonNode} tree as YAML means it. Jackson's own tree reading
 * turns an alias ({@code *name}) into the string "name"; here an alias stands for a copy of the node
 * its anchor ({@code &name}) marks, and a merge key ({@code <<: *base} or {@code <<: [*a, *b]})
 * adds the keys of those mappings that the mapping does not write itself, earlier mappings in the
 * list winning over later ones (YAML 1.1). Everything else stays Jackson's: scalar typing, duplicate
 * keys as errors (a key that only a merge repeats is not a duplicate), the nesting limit, and errors
 * with their line and column.
 *
 * <p>Aliases of aliases copy exponentially (the "billion laughs"), so copies are counted before they
 * are made: a document whose aliases copy more than {@link #MAX_COPIED_NODES} nodes or
 * {@link #MAX_COPIED_TEXT} characters in all, or nest it deeper than Jackson's nesting limit, is
 * refused. What is parsed without aliases is bounded by the size of the text.
 *
 * <p>SnakeYAML's scanner takes time that grows with the square of a line's length (one line of
 * 1 Mi characters: 0.7 s; of 16 Mi: 55 s), so lines longer than {@link #MAX_LINE_CHARS} are refused
 * before parsing, and documents may be as long as a configuration file may be. A document that is
 * JSON (a machine-written file, often one line) is read by Jackson's JSON parser, which is linear.
 */
final class YamlTreeReader {
    static final long MAX_COPIED_NODES = 1_000_000;
    /** As much text as the longest document holds. */
    static final long MAX_COPIED_TEXT = 32L << 20;
    /** The longest document, in characters: the configuration file's limit, 32 MiB. */
    static final int MAX_DOCUMENT_CHARS = 32 << 20;
    /** The longest line of YAML: 64 Ki characters parse in milliseconds. */
    static final int MAX_LINE_CHARS = 64 << 10;
    private static final String MERGE_KEY = "<<";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Stands in the anchor table for a node still being read: an alias to it would contain itself. */
    private static final JsonNode UNFINISHED = new TextNode("unfinished anchor");
    /** Parses scalars with Jackson's own typing; its factory makes the parsers that report anchors. */
    private static final YAMLMapper MAPPER = YAMLMapper.builder(new AnchorAwareYamlFactory(MAX_DOCUMENT_CHARS))
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final int MAX_DEPTH = MAPPER.getFactory().streamReadConstraints().getMaxNestingDepth();

    private final AnchorAwareYamlFactory.Parser parser;
    private final Map<String, JsonNode> anchors = new HashMap<>();
    private long copiedNodes;
    private long copiedText;

    private YamlTreeReader(AnchorAwareYamlFactory.Parser parser) {
        this.parser = parser;
    }

    /** The first document of {@code text}; {@link MissingNode} when there is none. */
    static JsonNode read(String text) throws JsonProcessingException {
        JsonProcessingException notJson = null;
        if (looksLikeJson(text)) {
            try {
                return JSON.readTree(text);
            } catch (JsonProcessingException e) {
                notJson = e; // a YAML flow mapping ({ id: r1 }) is not JSON: read as YAML, if it can be
            }
        }
        JsonParseException longLine = longLine(text);
        if (longLine != null) {
            throw notJson != null ? notJson : longLine;
        }
        try (AnchorAwareYamlFactory.Parser parser =
                     (AnchorAwareYamlFactory.Parser) MAPPER.getFactory().createParser(new StringReader(text))) {
            if (parser.nextToken() == null) {
                return MissingNode.getInstance();
            }
            return new YamlTreeReader(parser).value(0);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading from a String cannot fail", e);
        }
    }

    private static boolean looksLikeJson(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '{';
            }
        }
        return false;
    }

    /** The error for the first line longer than {@link #MAX_LINE_CHARS}; null when there is none. */
    private static JsonParseException longLine(String text) {
        if (text.length() <= MAX_LINE_CHARS) {
            return null;
        }
        int line = 1;
        for (int start = 0; start <= text.length(); line++) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            if (end - start > MAX_LINE_CHARS) {
                return new JsonParseException(null, "line is " + (end - start) + " characters long; YAML lines may be at most "
                        + MAX_LINE_CHARS + " (write long values in block style, or the whole file as JSON)",
                        new JsonLocation(null, -1, line, MAX_LINE_CHARS + 1));
            }
            start = end + 1;
        }
        return null;
    }

    /** The node the current token starts; {@code depth} counts the mappings and sequences around it. */
    private JsonNode value(int depth) throws IOException {
        if (parser.isCurrentAlias()) {
            return alias(depth);
        }
        String anchor = parser.anchor();
        if (anchor != null) {
            anchors.put(anchor, UNFINISHED);
        }
        JsonNode node = switch (parser.currentToken()) {
            case START_OBJECT -> mapping(depth + 1);
            case START_ARRAY -> sequence(depth + 1);
            default -> MAPPER.readTree(parser);
        };
        if (anchor != null) {
            anchors.put(anchor, node); // a later anchor of the same name replaces it, as YAML says
        }
        return node;
    }

    private JsonNode mapping(int depth) throws IOException {
        ObjectNode node = NODES.objectNode();
        List<ObjectNode> merged = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            boolean isMerge = MERGE_KEY.equals(key) && parser.isPlainKey();
            String keyAnchor = parser.anchor();
            if (keyAnchor != null) {
                anchors.put(keyAnchor, TextNode.valueOf(key));
            }
            parser.nextToken();
            JsonLocation valueStart = parser.currentTokenLocation();
            JsonNode value = value(depth);
            if (isMerge) {
                merged.addAll(mergedMappings(value, valueStart));
            } else {
                node.set(key, value);
            }
        }
        // the mapping's own keys win wherever they are written; then earlier merged mappings win
        for (ObjectNode source : merged) {
            for (Map.Entry<String, JsonNode> field : source.properties()) {
                if (!node.has(field.getKey())) {
                    node.set(field.getKey(), field.getValue());
                }
            }
        }
        return node;
    }

    private List<ObjectNode> mergedMappings(JsonNode value, JsonLocation where) throws JsonParseException {
        List<ObjectNode> mappings = new ArrayList<>();
        for (JsonNode element : value.isArray() ? value : List.of(value)) {
            if (!(element instanceof ObjectNode mapping)) {
                throw error("merge key << takes a mapping or a list of mappings", where);
            }
            mappings.add(mapping);
        }
        return mappings;
    }

    private JsonNode sequence(int depth) throws IOException {
        ArrayNode node = NODES.arrayNode();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY && token != null; token = parser.nextToken()) {
            node.add(value(depth));
        }
        return node;
    }

    /** A copy of the anchored node, once it is clear that copying it stays within the limits. */
    private JsonNode alias(int depth) throws IOException {
        String name = parser.getText();
        JsonLocation where = parser.currentTokenLocation();
        JsonNode target = anchors.get(name);
        if (target == null) {
            throw error("alias *" + name + " has no anchor &" + name + " before it", where);
        }
        if (target == UNFINISHED) {
            throw error("alias *" + name + " is inside the node it names (a cycle)", where);
        }
        TreeSize size = TreeSize.of(target, MAX_COPIED_NODES - copiedNodes, MAX_COPIED_TEXT - copiedText);
        if (size.tooManyNodes()) {
            throw error("alias *" + name + " would copy more than " + MAX_COPIED_NODES
                    + " nodes in all (a limit against alias bombs)", where);
        }
        if (size.tooMuchText()) {
            throw error("alias *" + name + " would copy more than " + MAX_COPIED_TEXT
                    + " characters of text in all (a limit against alias bombs)", where);
        }
        if (depth + size.height > MAX_DEPTH) {
            throw error("alias *" + name + " would nest the document deeper than " + MAX_DEPTH + " levels", where);
        }
        copiedNodes += size.nodes;
        copiedText += size.text;
        return target.deepCopy();
    }

    private JsonParseException error(String message, JsonLocation where) {
        return new JsonParseException(parser, message, where);
    }

    /**
     * What copying a tree costs: its nodes, the characters of its strings and keys (a copy shares
     * them, but anything that writes the tree out pays for each), and its height in mappings and
     * sequences (a scalar's is 0). Counting stops once past a limit, so an alias bomb's target is
     * never walked whole.
     */
    private static final class TreeSize {
        private final long maxNodes;
        private final long maxText;
        private long nodes;
        private long text;
        private int height;

        private TreeSize(long maxNodes, long maxText) {
            this.maxNodes = maxNodes;
            this.maxText = maxText;
        }

        static TreeSize of(JsonNode tree, long maxNodes, long maxText) {
            TreeSize size = new TreeSize(maxNodes, maxText);
            size.walk(tree, 0);
            return size;
        }

        boolean tooManyNodes() {
            return nodes > maxNodes;
        }

        boolean tooMuchText() {
            return text > maxText;
        }

        /** Recursion is safe: every tree read here is within Jackson's nesting limit. */
        private void walk(JsonNode node, int depth) {
            nodes++;
            if (node.isTextual()) {
                text += node.textValue().length();
            } else if (node.isBinary()) {
                text += ((BinaryNode) node).binaryValue().length;
            }
            if (!node.isContainerNode() || tooManyNodes() || tooMuchText()) {
                return;
            }
            height = Math.max(height, depth + 1);
            if (node.isObject()) {
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    text += field.getKey().length();
                    walk(field.getValue(), depth + 1);
                    if (tooManyNodes() || tooMuchText()) {
                        return;
                    }
                }
            } else {
                for (JsonNode element : node) {
                    walk(element, depth + 1);
                    if (tooManyNodes() || tooMuchText()) {
                        return;
                    }
                }
            }
        }
    }
}
