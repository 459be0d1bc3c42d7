package io.tidegate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * YAML as YAML means it: aliases are copies, merge keys merge; and without them, exactly the tree
 * Jackson's own YAMLMapper reads.
 */
class YamlTreeReaderTest {
    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final YAMLMapper JACKSON = new YAMLMapper();

    private static JsonNode read(String yaml) throws JsonProcessingException {
        return YamlTreeReader.read(yaml);
    }

    private static JsonNode json(String json) throws JsonProcessingException {
        return ConfigLoader.parseJson(json);
    }

    @Test
    void withoutAliasesTheTreeIsJacksons() throws Exception {
        String yaml = """
                ints: [0, -7, 0x1F, 0o17, 017, 1_000, 12345678901234, 99999999999999999999999]
                floats: [1.5, -0.25, 1e3, 6.02e+23]
                booleans: [true, False, yes, no, on, off, y, n]
                nulls: [~, null, Null, ]
                strings: ["1", '2', "yes", plain text, "", "tab\\there", 10.0.0.1:80, 2001-12-14]
                block: |
                  line one
                  line two
                folded: >
                  one
                  two
                binary: !!binary aGVsbG8=
                tagged: [!!str 42, !!int "42", !!float "1"]
                nested: { a: [1, { b: [] }], "quoted key": {} , 3: three}
                anchored: &a { plain: 1 }
                empty:
                """;
        assertEquals(JACKSON.readTree(yaml), read(yaml));
        assertEquals(JACKSON.readTree("[1, 2]\n---\n[3]\n"), read("[1, 2]\n---\n[3]\n"), "only the first document");
        assertEquals(JACKSON.readTree(""), read(""));
        assertEquals(JACKSON.readTree("# only a comment\n"), read("# only a comment\n"));
    }

    @Test
    void everyShippedConfigurationReadsAsBefore() throws Exception {
        List<Path> shipped;
        try (Stream<Path> bench = Files.list(Path.of("..", "bench"))) {
            shipped = Stream.concat(Stream.of(Path.of("..", "config.yaml")), bench.filter(p -> p.toString().endsWith(".yaml")))
                    .toList();
        }
        assertTrue(shipped.size() > 1, shipped.toString());
        for (Path file : shipped) {
            String yaml = EnvSubstitution.apply(Files.readString(file), name -> null, file.toString(), new Problems());
            assertEquals(JACKSON.readTree(yaml), read(yaml), file.toString());
        }
    }

    @Test
    void anAliasIsACopyOfItsAnchoredNodeWithItsType() throws Exception {
        JsonNode tree = read("""
                numbers: [&n 8080, *n]
                flags: [&f yes, *f]
                nothing: [&z ~, *z]
                text: [&t "8080", *t]
                map: &m { a: [1, 2] }
                again: *m
                """);
        assertEquals(json("""
                {"numbers": [8080, 8080], "flags": [true, true], "nothing": [null, null], "text": ["8080", "8080"],
                 "map": {"a": [1, 2]}, "again": {"a": [1, 2]}}"""), tree);
        assertNotSame(tree.get("map"), tree.get("again"), "a copy, not the same node");
        ((ObjectNode) tree.get("again")).put("a", 0);
        assertEquals(json("[1, 2]"), tree.get("map").get("a"), "changing the copy leaves the original");
    }

    @Test
    void anAnchorOnAKeyAndAnAnchorDefinedAgain() throws Exception {
        assertEquals(json("{\"name\": \"x\", \"copy\": \"name\"}"), read("&k name: x\ncopy: *k\n"));
        assertEquals(json("{\"a\": 1, \"b\": 1, \"c\": 2, \"d\": 2}"), read("a: &v 1\nb: *v\nc: &v 2\nd: *v\n"),
                "an alias names the latest anchor before it");
        assertEquals(json("{\"outer\": [1, 1], \"after\": [1, 1]}"), read("outer: &v [&v 1, *v]\nafter: *v\n"),
                "an anchor inside a node of the same anchor: the outer one is the latest once it ends");
    }

    @Test
    void mergeKeysAddOnlyWhatTheMappingLacks() throws Exception {
        JsonNode tree = read("""
                a: &a { x: a, only-a: 1 }
                b: &b { x: b, y: b, only-b: 2 }
                one: { <<: *a, x: mine }
                list: { <<: [*a, *b] }
                inline: { <<: { x: inline }, z: 3 }
                before: { x: mine, <<: *b }
                none: { <<: [], x: 1 }
                nested: { <<: &c { <<: *a, y: c } }
                """);
        assertEquals(json("{\"x\": \"mine\", \"only-a\": 1}"), tree.get("one"));
        assertEquals(json("{\"x\": \"a\", \"only-a\": 1, \"y\": \"b\", \"only-b\": 2}"), tree.get("list"));
        assertEquals(json("{\"z\": 3, \"x\": \"inline\"}"), tree.get("inline"));
        assertEquals(json("{\"x\": \"mine\", \"y\": \"b\", \"only-b\": 2}"), tree.get("before"));
        assertEquals(json("{\"x\": 1}"), tree.get("none"));
        assertEquals(json("{\"y\": \"c\", \"x\": \"a\", \"only-a\": 1}"), tree.get("nested"));
    }

    @Test
    void errorsCarryTheirLineAndColumn() {
        JsonProcessingException unknown = assertThrows(JsonProcessingException.class, () -> read("a: 1\nb: [x, *nope]\n"));
        assertEquals("alias *nope has no anchor &nope before it", unknown.getOriginalMessage());
        assertEquals(2, unknown.getLocation().getLineNr());
        assertEquals(8, unknown.getLocation().getColumnNr());
        JsonProcessingException later = assertThrows(JsonProcessingException.class, () -> read("a: *later\nb: &later 1\n"));
        assertEquals("alias *later has no anchor &later before it", later.getOriginalMessage());
        JsonProcessingException merge = assertThrows(JsonProcessingException.class, () -> read("a: { <<: 5 }\n"));
        assertEquals("merge key << takes a mapping or a list of mappings", merge.getOriginalMessage());
        JsonProcessingException twice = assertThrows(JsonProcessingException.class,
                () -> read("b: &b { x: 1 }\na: { <<: *b, <<: *b }\n"));
        assertTrue(twice.getOriginalMessage().contains("Duplicate field '<<'"), twice.getOriginalMessage());
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void copiesAreCountedAcrossTheWholeDocument() throws Exception {
        // 1000 aliases of 999 nodes each stay within the limit; one more alias goes past it
        String items = "[" + "1, ".repeat(997) + "1]";
        String within = "big: &big " + items + "\ncopies: [" + "*big, ".repeat(1000) + "]\n";
        assertEquals(1000, read(within).get("copies").size());
        String beyond = "big: &big " + items + "\ncopies: [" + "*big, ".repeat(1002) + "]\n";
        JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> read(beyond));
        assertEquals("alias *big would copy more than 1000000 nodes in all (a limit against alias bombs)",
                e.getOriginalMessage());
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void copiedTextIsCountedToo() throws Exception {
        // few nodes, but writing the tree out would take 40 MiB and more with every further alias
        String yaml = "long: &long |\n" + ("  " + "x".repeat(1023) + "\n").repeat(1024) + "copies: [" + "*long, ".repeat(40) + "]\n";
        JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> read(yaml));
        assertEquals("alias *long would copy more than 33554432 characters of text in all (a limit against alias bombs)",
                e.getOriginalMessage());
        assertEquals(1026, e.getLocation().getLineNr());
    }

    @Test
    void mutatedYamlWithAnchorsNeverCrashesTheReader() {
        String valid = """
                base: &base { id: 1, nodes: &n [{ host: h, port: 80 }], list: [a, b] }
                routes:
                  - <<: *base
                    uri: /x
                  - { <<: [*base, { id: 2 }], nodes: *n, tag: &t v }
                other: [*t, *n, *base]
                """;
        Random random = new Random(SEED);
        String alphabet = "&*<:{}[],-! \n'\"#|>abn1";
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder(valid);
            for (int m = 1 + random.nextInt(4); m > 0; m--) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0 -> text.deleteCharAt(at);
                    case 1 -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            try {
                read(text.toString());
            } catch (JsonProcessingException expected) {
                // a clear parse error is a pass
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + ", input " + i + " crashed the reader:\n" + text, e);
            }
        }
    }

    @Test
    @Timeout(30)
    void documentsAsLongAsAConfigurationFileMayBeAreRead() throws Exception {
        // 100,000 routes in block style: over SnakeYAML's default limit of 3 Mi characters
        StringBuilder yaml = new StringBuilder("routes:\n");
        for (int i = 0; yaml.length() < 5_000_000; i++) {
            yaml.append("  - { id: r").append(i).append(", uri: /svc").append(i / 50).append("/*, upstream_id: origin }\n");
        }
        JsonNode tree = read(yaml.toString());
        assertTrue(tree.get("routes").size() > 60_000, "routes read: " + tree.get("routes").size());
    }

    @Test
    @Timeout(10)
    void aLineTooLongForTheYamlScannerIsRefusedWithItsNumber() {
        String yaml = "a: 1\nb: " + "x".repeat(YamlTreeReader.MAX_LINE_CHARS) + "\n";
        JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> read(yaml));
        assertEquals(2, e.getLocation().getLineNr(), e.getMessage());
        assertTrue(e.getOriginalMessage().startsWith("line is " + (YamlTreeReader.MAX_LINE_CHARS + 3) + " characters long"),
                e.getOriginalMessage());
    }

    @Test
    @Timeout(10)
    void aJsonDocumentOnOneLongLineIsReadAsJson() throws Exception {
        StringBuilder json = new StringBuilder("{\"routes\":[");
        for (int i = 0; i < 20_000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"uri\":\"/svc").append(i).append("\"}");
        }
        json.append("]}");
        assertTrue(json.length() > YamlTreeReader.MAX_LINE_CHARS);
        assertEquals(20_000, read(json.toString()).get("routes").size());
        // a key given twice is still an error, and a YAML flow mapping is still YAML
        assertThrows(JsonProcessingException.class, () -> read("{\"a\": 1, \"a\": 2}"));
        assertEquals(json("{\"id\":\"r1\",\"n\":2}"), read("{ id: r1, n: 2 }"));
    }
}
