package io.tidegate.plugin.schema;

/**
 * One thing wrong with a plugin configuration: {@code field} is the path inside the plugin's object
 * ({@code count}, {@code headers.set}, {@code list[1]}; empty for the object itself).
 */
public record ConfigViolation(String field, String message) {
    /** {@code field} under {@code place} ({@code routes[2].plugins.limit-count} + {@code count}). */
    public String pathUnder(String place) {
        if (field.isEmpty()) {
            return place;
        }
        return field.startsWith("[") ? place + field : place + "." + field;
    }
}
