package io.tidegate.plugins.proxyrewrite;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/** One response-rewrite configuration: the response head in header_filter, the body in body_filter. */
final class ResponseRewriteInstance implements PluginInstance {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    /** Per request: the vars held, how the upstream encoded the body, and the body held for filters. */
    private static final class Rewrite {
        String encoding;
        /** Filters cannot read the body's encoding (br, say): the body passes as the upstream sent it. */
        boolean passThrough;
        ByteArrayOutputStream held;
        boolean bodySent;
    }

    private final AttributeKey<Rewrite> matched = AttributeKey.of("response-rewrite", Rewrite.class);
    private final Integer status;
    private final ResponseRewritePlugin.HeaderChanges headers;
    private final byte[] body;
    private final List<ResponseRewritePlugin.BodyFilter> filters;
    private final int maxBody;
    private final Predicate<PluginContext> when;

    ResponseRewriteInstance(Integer status, ResponseRewritePlugin.HeaderChanges headers, byte[] body,
                            List<ResponseRewritePlugin.BodyFilter> filters, int maxBody, Predicate<PluginContext> when) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.filters = filters;
        this.maxBody = maxBody;
        this.when = when;
    }

    @Override
    public void headerFilter(PluginContext context) {
        if (when != null && !when.test(context)) {
            return;
        }
        Rewrite rewrite = new Rewrite();
        context.setAttribute(matched, rewrite);
        PluginContext.Response response = context.response();
        if (status != null) {
            response.setStatus(status);
        }
        String encoding = response.header("Content-Encoding");
        if (body == null && !filters.isEmpty() && encoding != null && !readable(encoding)) {
            rewrite.passThrough = true;
        } else if (body != null || !filters.isEmpty()) {
            rewrite.encoding = encoding;
            // APISIX's clear_header_as_body_modified: the old length, encoding and validators no longer describe the body
            response.removeHeader("Content-Length");
            response.removeHeader("Content-Encoding");
            response.removeHeader("ETag");
            response.removeHeader("Last-Modified");
        }
        for (Map.Entry<String, io.tidegate.plugin.api.Template> add : headers.add()) {
            response.addHeader(add.getKey(), add.getValue().render(context));
        }
        headers.set().forEach((name, value) -> {
            String text = value.render(context);
            if (text.isEmpty()) {
                response.removeHeader(name);  // nginx: a header set to "" is not sent
            } else {
                response.setHeader(name, text);
            }
        });
        headers.remove().forEach(response::removeHeader);
    }

    @Override
    public boolean filtersBody() {
        return body != null || !filters.isEmpty();
    }

    @Override
    public ByteBuffer bodyFilter(PluginContext context, ByteBuffer chunk, boolean last) {
        Rewrite rewrite = context.attribute(matched);
        if (rewrite == null || rewrite.passThrough) {
            return chunk;
        }
        if (body != null) {
            if (rewrite.bodySent) {
                return NOTHING;
            }
            rewrite.bodySent = true;
            return ByteBuffer.wrap(body);
        }
        if (rewrite.held == null) {
            rewrite.held = new ByteArrayOutputStream();
        }
        int room = maxBody - rewrite.held.size();
        if (room > 0) {
            byte[] bytes = new byte[Math.min(room, chunk.remaining())];
            chunk.get(bytes);
            rewrite.held.write(bytes, 0, bytes.length);
        }
        if (!last) {
            return NOTHING;
        }
        byte[] whole = decoded(rewrite.encoding, rewrite.held.toByteArray(), maxBody);
        rewrite.held = null;
        String text = utf8(whole);
        String filtered = text == null ? null : apply(text);
        // a body that is no UTF-8 text (binary), or that no filter matched, goes out byte for byte
        return ByteBuffer.wrap(filtered == null ? whole : filtered.getBytes(StandardCharsets.UTF_8));
    }

    /** The filters in order; null when none matched (the body then goes out as it came). */
    private String apply(String text) {
        boolean changed = false;
        for (ResponseRewritePlugin.BodyFilter filter : filters) {
            Matcher m = filter.pattern().matcher(text);
            StringBuilder out = new StringBuilder();
            int from = 0;
            while (m.find()) {  // after an empty match, find() moves on by itself
                out.append(text, from, m.start());
                expand(filter.replacement(), m, out);
                from = m.end();
                changed = true;
                if (!filter.global()) {
                    break;
                }
            }
            text = out.append(text, from, text.length()).toString();
        }
        return changed ? text : null;
    }

    /**
     * ngx.re.sub's replacement: {@code $0}-{@code $9} and {@code ${N}} are captures (empty when the
     * group took no part), {@code $$} is a dollar, anything else is text, line breaks included.
     */
    static void expand(String replacement, Matcher m, StringBuilder out) {
        for (int i = 0; i < replacement.length(); i++) {
            char c = replacement.charAt(i);
            if (c != '$' || i + 1 >= replacement.length()) {
                out.append(c);
                continue;
            }
            char next = replacement.charAt(i + 1);
            int group = -1;
            int end = i + 1;
            if (next == '$') {
                out.append('$');
                i++;
                continue;
            } else if (Character.isDigit(next)) {
                group = next - '0';
                end = i + 1;
            } else if (next == '{') {
                int close = replacement.indexOf('}', i + 2);
                String digits = close < 0 ? "" : replacement.substring(i + 2, close);
                if (!digits.isEmpty() && digits.length() < 4 && digits.chars().allMatch(Character::isDigit)) {
                    group = Integer.parseInt(digits);
                    end = close;
                }
            }
            if (group < 0) {
                out.append(c);
                continue;
            }
            if (group <= m.groupCount() && m.group(group) != null) {
                out.append(m.group(group));
            }
            i = end;
        }
    }

    private static boolean readable(String encoding) {
        String name = encoding.strip().toLowerCase(java.util.Locale.ROOT);
        return name.equals("gzip") || name.equals("deflate") || name.equals("identity");
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException notText) {
            return null;
        }
    }

    /** The body as text filters read it: gzip and deflate decoded, at most {@code max} bytes of it (no bomb inflates past it). */
    private static byte[] decoded(String encoding, byte[] bytes, int max) {
        if (encoding == null || bytes.length == 0) {
            return bytes;
        }
        try (InputStream in = switch (encoding.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "gzip" -> new GZIPInputStream(new java.io.ByteArrayInputStream(bytes));
            case "deflate" -> new InflaterInputStream(new java.io.ByteArrayInputStream(bytes));
            default -> null;
        }) {
            return in == null ? bytes : in.readNBytes(max);
        } catch (IOException corrupt) {
            return bytes;
        }
    }
}
