package io.tidegate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.ConfigLoader;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Reads Admin API request bodies: bounded, JSON, or YAML when the client says {@code application/yaml}. */
final class RequestBodies {
    static final int MAX_BODY = 4 * 1024 * 1024;
    /**
     * As APISIX's JSON decoder: a control character inside a string is taken as it is (its tests
     * PUT .proto texts with raw line breaks); what a field may hold is the resource reader's check.
     */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS).build();

    private RequestBodies() {
    }

    /** The body as JSON; a 400 ({@link BadRequest}) when it is empty, too large or not JSON. */
    static JsonNode json(HttpServerExchange exchange) throws IOException {
        return parse(bytes(exchange), false);
    }

    /** The body as JSON or, with {@code Content-Type: application/yaml}, YAML; it must be an object. */
    static ObjectNode document(HttpServerExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        JsonNode body = parse(bytes(exchange), type != null && type.startsWith("application/yaml"));
        if (!body.isObject()) {
            throw new BadRequest("invalid request body: must be an object");
        }
        return (ObjectNode) body;
    }

    private static byte[] bytes(HttpServerExchange exchange) throws IOException {
        byte[] bytes = exchange.getInputStream().readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new BadRequest("request body larger than " + MAX_BODY + " bytes");
        }
        if (bytes.length == 0) {
            throw new BadRequest("invalid request body: empty request body");
        }
        return bytes;
    }

    private static JsonNode parse(byte[] bytes, boolean yaml) {
        JsonNode body;
        try {
            body = yaml ? ConfigLoader.parseYaml(new String(bytes, StandardCharsets.UTF_8)) : JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            String detail = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
            var at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new BadRequest("invalid request body: " + (yaml ? "invalid yaml request body: " : "") + detail + where);
        } catch (IOException e) {
            throw new BadRequest("invalid request body: " + e.getMessage());
        }
        if (body == null || body.isMissingNode()) {
            throw new BadRequest("invalid request body: empty request body");
        }
        return body;
    }
}
