package io.tidegate.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigLoader;
import io.tidegate.config.Problems;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the configuration reader and validator: a crash is a bug, a clear error is a pass. Inputs
 * are generated from a seed (printed on failure; {@code -Dfuzz.seed=N} replays it): random JSON
 * trees built from the real field names and plausible values, and byte-level mutations of a valid
 * document. Every run tries new inputs.
 */
class ConfigFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> FIELDS = List.of("routes", "upstreams", "services", "consumers", "ssls",
            "global_rules", "plugin_configs", "tidegate", "id", "uri", "uris", "host", "hosts", "methods", "vars",
            "remote_addrs", "priority", "plugins", "plugin_config_id", "upstream", "upstream_id", "service_id",
            "timeout", "connect", "read", "send", "enable_websocket", "status", "nodes", "type", "hash_on", "key",
            "retries", "retry_timeout", "scheme", "pass_host", "upstream_host", "keepalive_pool", "size", "tls",
            "checks", "active", "passive", "healthy", "unhealthy", "interval", "http_statuses", "successes",
            "http_failures", "tcp_failures", "timeouts", "http_path", "port", "weight", "username", "cert", "snis",
            "listeners", "address", "limits", "max_headers", "etcd", "endpoints", "prefix", "admin", "api_key");
    private static final List<String> STRINGS = List.of("", "/", "/a/*", "/:x", "/*rest", "*.x.com", "*", "GET", "FETCH",
            "chash", "roundrobin", "ewma", "vars", "remote_addr", "127.0.0.1:80", "[::1]:8080", "10.0.0.0/99",
            "http", "https", "grpc", "node", "rewrite", "10k", "-1", "${{NOPE}}", "http://127.0.0.1:2379", "a b", "é");

    @Test
    void structuredRandomConfigurationsNeverCrashTheReader() {
        Random random = new Random(SEED);
        for (int i = 0; i < 5000; i++) {
            ObjectNode root = NODES.objectNode();
            int lists = 1 + random.nextInt(3);
            for (int l = 0; l < lists; l++) {
                root.set(FIELDS.get(random.nextInt(8)), value(random, 4));
            }
            read(root, i);
        }
    }

    @Test
    void mutationsOfAValidConfigurationNeverCrashTheReader() {
        String valid = "{\"routes\":[{\"id\":1,\"uri\":\"/a/*\",\"hosts\":[\"*.x.com\"],\"methods\":[\"GET\"],"
                + "\"vars\":[[\"arg_a\",\"==\",\"1\"]],\"remote_addrs\":[\"10.0.0.0/8\"],\"upstream_id\":\"u\","
                + "\"timeout\":{\"connect\":1,\"send\":1,\"read\":1}}],\"upstreams\":[{\"id\":\"u\",\"type\":\"chash\","
                + "\"key\":\"remote_addr\",\"nodes\":{\"127.0.0.1:80\":1},\"checks\":{\"active\":{\"healthy\":{\"interval\":1}},"
                + "\"passive\":{}}}]}";
        Random random = new Random(SEED + 1);
        String alphabet = "{}[]\":,01-/*.aZ ";
        for (int i = 0; i < 5000; i++) {
            StringBuilder text = new StringBuilder(valid);
            for (int m = random.nextInt(4); m >= 0; m--) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0 -> text.deleteCharAt(at);
                    case 1 -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            JsonNode root;
            try {
                root = ConfigLoader.parseJson(text.toString());
            } catch (JsonProcessingException e) {
                continue; // not JSON any more: the parser's clear error
            }
            if (root != null) {
                read(root, i);
            }
        }
    }

    private static JsonNode value(Random random, int depth) {
        int kind = random.nextInt(depth <= 0 ? 5 : 8);
        return switch (kind) {
            case 0 -> NODES.textNode(STRINGS.get(random.nextInt(STRINGS.size())));
            case 1 -> NODES.numberNode(random.nextInt(5) == 0 ? random.nextLong() : random.nextInt(70_000) - 5);
            case 2 -> NODES.numberNode(random.nextDouble() * 100 - 10);
            case 3 -> NODES.booleanNode(random.nextBoolean());
            case 4 -> NODES.nullNode();
            case 5, 6 -> {
                ObjectNode object = NODES.objectNode();
                for (int f = random.nextInt(6); f > 0; f--) {
                    object.set(random.nextInt(10) == 0 ? "127.0.0.1:" + random.nextInt(99999)
                            : FIELDS.get(random.nextInt(FIELDS.size())), value(random, depth - 1));
                }
                yield object;
            }
            default -> {
                ArrayNode array = NODES.arrayNode();
                for (int e = random.nextInt(4); e > 0; e--) {
                    array.add(value(random, depth - 1));
                }
                yield array;
            }
        };
    }

    private static void read(JsonNode root, int iteration) {
        try {
            new ConfigLoader(name -> null).read(root, Path.of("fuzz.yaml"), new Problems());
        } catch (ConfigException e) {
            assertFalse(e.errors().isEmpty(), "a rejection must say why: " + root);
            for (String error : e.errors()) {
                assertFalse(error.isBlank(), "blank error for " + root);
            }
        } catch (RuntimeException e) {
            throw new AssertionError("seed " + SEED + ", input " + iteration + " crashed the reader: " + root, e);
        }
    }
}
