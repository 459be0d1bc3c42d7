package io.tidegate.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * APISIX's {@code t/lib/test_admin.lua} comparison ({@code comp_tab}): every field the pattern
 * names must be equal in the answer, objects and arrays compared field by field and index by
 * index the same way, and a null in the pattern means the field must be absent. Fields the pattern
 * does not name are not compared.
 */
final class JsonPattern {
    private JsonPattern() {
    }

    /** Null when {@code actual} matches, else the first path that differs and what was there. */
    static String mismatch(JsonNode pattern, JsonNode actual) {
        return mismatch(pattern, actual, "");
    }

    private static String mismatch(JsonNode pattern, JsonNode actual, String path) {
        if (pattern.isObject() || pattern.isArray()) {
            if (actual == null || actual.isMissingNode() || !(actual.isObject() || actual.isArray())) {
                return path + ": expected " + pattern + ", got " + actual;
            }
            if (pattern.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> fields = pattern.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    String found = mismatch(field.getValue(), actual.get(field.getKey()), path + "->" + field.getKey());
                    if (found != null) {
                        return found;
                    }
                }
            } else {
                for (int i = 0; i < pattern.size(); i++) {
                    String found = mismatch(pattern.get(i), actual.get(i), path + "->" + (i + 1));
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        }
        if (pattern.isNull()) {
            return actual == null || actual.isNull() ? null : path + ": expected absent, got " + actual;
        }
        if (actual == null) {
            return path + ": expected " + pattern + ", got nothing";
        }
        boolean same = pattern.isNumber() && actual.isNumber() ? pattern.decimalValue().compareTo(actual.decimalValue()) == 0
                : pattern.equals(actual);
        return same ? null : path + ": expected " + pattern + ", got " + actual;
    }
}
