package io.tidegate.plugin.api;

import java.util.Objects;

/**
 * A typed key for per-request values a plugin keeps between its phases, or hands to another
 * plugin ({@link PluginContext#attribute}, {@link PluginContext#setAttribute}). Keys compare by
 * identity; two keys with the same name never collide. Make the key a field of the instance when
 * two instances of the plugin may run on one request (a global rule's and a route's): each then
 * keeps its own value. A {@code static final} key is one value per request for every instance.
 */
public final class AttributeKey<T> {
    private final String name;
    private final Class<T> type;

    private AttributeKey(String name, Class<T> type) {
        this.name = Objects.requireNonNull(name);
        this.type = Objects.requireNonNull(type);
    }

    public static <T> AttributeKey<T> of(String name, Class<T> type) {
        return new AttributeKey<>(name, type);
    }

    public String name() {
        return name;
    }

    /** Checks a stored value against the key's type. */
    public T cast(Object value) {
        return type.cast(value);
    }

    @Override
    public String toString() {
        return "AttributeKey(" + name + ")";
    }
}
