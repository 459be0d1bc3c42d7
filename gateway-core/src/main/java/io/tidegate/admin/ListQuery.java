package io.tidegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * APISIX's list query on {@code GET /apisix/admin/{res}}: {@code name} and {@code uri} (regexes
 * found in the name, the uri or one of the uris), {@code label} (a label key), {@code filter}
 * ({@code service_id=1&upstream_id=2}, routes only), then {@code page} and {@code page_size}
 * (10-500; the page in creation order). {@code total} counts what the filters kept.
 */
final class ListQuery {
    /** The fields {@code filter} may name, by resource list, as APISIX's list_filter_fields. */
    private static final Map<String, Set<String>> FILTER_FIELDS = Map.of("routes", Set.of("service_id", "upstream_id"));

    private final Pattern name;
    private final Pattern uri;
    private final String label;
    private final Map<String, String> fields;
    private final Integer page;
    private final Integer pageSize;

    private ListQuery(Pattern name, Pattern uri, String label, Map<String, String> fields, Integer page, Integer pageSize) {
        this.name = name;
        this.uri = uri;
        this.label = label;
        this.fields = fields;
        this.page = page;
        this.pageSize = pageSize;
    }

    /** The query of {@code type}'s list; a {@link BadRequest} when {@code page_size} is out of range. */
    static ListQuery of(String type, Map<String, Deque<String>> args) {
        Integer page = integer(first(args, "page"));
        Integer pageSize = integer(first(args, "page_size"));
        if (page != null && pageSize != null && (pageSize < 10 || pageSize > 500)) {
            throw new BadRequest("page_size must be between 10 and 500");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        String filter = first(args, "filter");
        if (filter != null) {
            Set<String> allowed = FILTER_FIELDS.getOrDefault(type, Set.of());
            for (String pair : filter.split("&")) {
                int eq = pair.indexOf('=');
                String field = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                if (allowed.contains(field)) {
                    fields.put(field, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return new ListQuery(pattern(first(args, "name")), pattern(first(args, "uri")), first(args, "label"), fields,
                page, pageSize);
    }

    /** The entries ({@code {key, value, createdIndex, ...}}) this query keeps, and how many before paging. */
    record Result(List<JsonNode> page, int total) {}

    Result apply(List<JsonNode> entries) {
        List<JsonNode> kept = new ArrayList<>();
        for (JsonNode entry : entries) {
            if (matches(entry.path("value"))) {
                kept.add(entry);
            }
        }
        if (page == null || pageSize == null) {
            return new Result(kept, kept.size());
        }
        kept.sort(Comparator.comparingLong(e -> e.path("createdIndex").asLong()));
        int from = (Math.max(page, 1) - 1) * pageSize;
        List<JsonNode> one = from >= kept.size() ? List.of() : kept.subList(from, Math.min(kept.size(), from + pageSize));
        return new Result(List.copyOf(one), kept.size());
    }

    private boolean matches(JsonNode value) {
        if (name != null && !(value.hasNonNull("name") && name.matcher(value.get("name").asText()).find())) {
            return false;
        }
        if (label != null && !value.path("labels").has(label)) {
            return false;
        }
        if (uri != null) {
            boolean found = value.hasNonNull("uri") && uri.matcher(value.get("uri").asText()).find();
            for (JsonNode one : value.path("uris")) {
                found |= uri.matcher(one.asText()).find();
            }
            if (!found) {
                return false;
            }
        }
        for (Map.Entry<String, String> field : fields.entrySet()) {
            if (!value.hasNonNull(field.getKey()) || !value.get(field.getKey()).asText().equals(field.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** As APISIX's ngx.re.find; text that is no regex is looked for as it is. */
    private static Pattern pattern(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            return Pattern.compile(Pattern.quote(text));
        }
    }

    private static Integer integer(String text) {
        try {
            return text == null ? null : Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String first(Map<String, Deque<String>> args, String name) {
        Deque<String> values = args.get(name);
        return values == null ? null : values.peekFirst();
    }
}
