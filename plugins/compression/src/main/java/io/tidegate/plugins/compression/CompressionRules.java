package io.tidegate.plugins.compression;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.PluginContext;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which responses a streaming compression plugin (brotli, zstd) takes, decided on the response
 * head. APISIX brotli's checks: the client's Accept-Encoding takes {@code coding}, the response is
 * not encoded yet, has a Content-Type among {@code types} (empty: any), a Content-Length (when
 * known) of at least {@code minLength}, and the request came over HTTP {@code httpVersion} or
 * later. Beyond APISIX: never a response without a body (HEAD, 1xx, 204, 304) nor a part of one
 * (206, Content-Range), whose bytes an encoding cannot cover.
 *
 * <p>Accept-Encoding takes the coding when it names it with a q-value above 0, or does not name
 * it and gives {@code *} one (RFC 9110; {@code br;q=0, *} refuses br). Only that is asked, not
 * whether the client prefers another coding: a plugin cannot know which others share the route.
 * Since an encoded response is skipped, several of these plugins on one route compose: the first
 * to run (the highest priority: zstd 997, brotli 996, gzip 995) whose coding is taken compresses;
 * the others see its Content-Encoding and leave the body alone.
 */
record CompressionRules(String coding, Set<String> types, int minLength, double httpVersion) {
    CompressionRules {
        types = Set.copyOf(types);
    }

    /** The rules of a configuration whose {@code types} is a list of media types or {@code "*"}. */
    static CompressionRules of(String coding, JsonNode types, int minLength, double httpVersion) {
        return new CompressionRules(coding, mediaTypes(types), minLength, httpVersion);
    }

    /** The media types of a {@code types} list, lower case; none for anything else ({@code "*"}). */
    static Set<String> mediaTypes(JsonNode types) {
        Set<String> media = new HashSet<>();
        if (types.isArray()) {
            types.forEach(type -> media.add(type.asText().strip().toLowerCase(Locale.ROOT)));
        }
        return Set.copyOf(media);
    }

    boolean applies(PluginContext context) {
        PluginContext.Request request = context.request();
        PluginContext.Response response = context.response();
        return hasWholeBody(request.method(), response) && !encoded(response.header("Content-Encoding"))
                && typeMatches(response.header("Content-Type")) && longEnough(response.header("Content-Length"))
                && version(context.var("server_protocol")) >= httpVersion
                && AcceptEncoding.accepts(request.headers("Accept-Encoding"), coding);
    }

    private static boolean hasWholeBody(String method, PluginContext.Response response) {
        int status = response.status();
        return !"HEAD".equals(method) && status >= 200 && status != 204 && status != 206 && status != 304
                && response.header("Content-Range") == null;
    }

    private static boolean encoded(String contentEncoding) {
        return contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.strip().equalsIgnoreCase("identity");
    }

    private boolean typeMatches(String contentType) {
        if (contentType == null) {
            return false;  // as nginx: a body of unknown type is not compressed
        }
        if (types.isEmpty()) {
            return true;
        }
        return types.contains(mediaType(contentType));
    }

    /** The media type of a Content-Type, lower case, without its parameters. */
    static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private boolean longEnough(String contentLength) {
        if (contentLength == null) {
            return true;  // streamed: the length is not known, so it cannot be too short
        }
        try {
            return Long.parseLong(contentLength.strip()) >= minLength;
        } catch (NumberFormatException notALength) {
            return true;
        }
    }

    /** {@code HTTP/1.0} as 1.0; a missing or unreadable protocol counts as HTTP/1.1, as for gzip. */
    static double version(String protocol) {
        if (protocol == null || !protocol.startsWith("HTTP/")) {
            return 1.1;
        }
        try {
            return Double.parseDouble(protocol.substring(5));
        } catch (NumberFormatException e) {
            return 1.1;
        }
    }
}
