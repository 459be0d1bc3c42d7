package io.tidegate.plugins.compression;

import io.tidegate.plugin.api.PluginContext;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/** The response head of a body about to be compressed, changed to describe what the client will get. */
final class EncodedHeaders {
    /** An entity tag as RFC 9110 writes it: optionally weak, quoted, no quote inside. */
    private static final Pattern ETAG = Pattern.compile("(W/)?\"[^\"]*\"");

    private EncodedHeaders() {}

    static void apply(PluginContext.Response response, String coding, boolean vary) {
        response.setHeader("Content-Encoding", coding);
        response.removeHeader("Content-Length");  // known only once the last chunk is compressed
        response.removeHeader("Accept-Ranges");   // ranges of the uncompressed body no longer apply
        weakenETag(response);
        if (vary && !variesOnAcceptEncoding(response)) {
            // a second value: the upstream's own Vary still holds
            response.addHeader("Vary", "Accept-Encoding");
        }
    }

    /**
     * The compressed bytes differ from those the tag was given to, but mean the same: a strong tag
     * becomes weak, a weak one stays; one that is not a valid tag cannot be made weak, so it goes.
     */
    private static void weakenETag(PluginContext.Response response) {
        String etag = response.header("ETag");
        if (etag == null) {
            return;
        }
        if (!ETAG.matcher(etag).matches()) {
            response.removeHeader("ETag");
        } else if (!etag.startsWith("W/")) {
            response.setHeader("ETag", "W/" + etag);
        }
    }

    /** Whether a Vary value already names Accept-Encoding (or is {@code *}): saying it twice adds nothing. */
    private static boolean variesOnAcceptEncoding(PluginContext.Response response) {
        AtomicBoolean found = new AtomicBoolean();
        response.forEachHeader((name, values) -> {
            if (name.equalsIgnoreCase("Vary")) {
                for (String value : values) {
                    for (String field : value.split(",")) {
                        String token = field.strip().toLowerCase(Locale.ROOT);
                        if (token.equals("accept-encoding") || token.equals("*")) {
                            found.set(true);
                        }
                    }
                }
            }
        });
        return found.get();
    }
}
