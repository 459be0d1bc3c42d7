package io.tidegate.plugins.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A span's attributes in two arrays, in the order they were set: a span here gets about ten, whose
 * keys are distinct constants, so a scan finds a repeated key sooner than a hash would, and
 * exporting them is one pass with nothing copied or sorted. Past {@link #LIMIT} an attribute is
 * counted and dropped, as the SDK's default span limit does.
 */
final class SpanAttributes implements Attributes {
    /** The SDK's default {@code SpanLimits} maximum number of attributes. */
    static final int LIMIT = 128;

    private AttributeKey<?>[] keys = new AttributeKey<?>[16];
    private Object[] values = new Object[16];
    private int size;
    private int total;

    <T> void put(AttributeKey<T> key, T value) {
        if (value == null || key.getKey().isEmpty()) {
            return;
        }
        for (int i = 0; i < size; i++) {
            if (keys[i] == key || keys[i].getKey().equals(key.getKey())) {
                keys[i] = key;
                values[i] = value;
                return;
            }
        }
        total++;
        if (size == LIMIT) {
            return;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, Math.min(LIMIT, size * 2));
            values = Arrays.copyOf(values, keys.length);
        }
        keys[size] = key;
        values[size++] = value;
    }

    /** Attributes set, the dropped ones included. */
    int total() {
        return total;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(AttributeKey<T> key) {
        for (int i = 0; i < size; i++) {
            if (keys[i].getKey().equals(key.getKey()) && keys[i].getType() == key.getType()) {
                return (T) values[i];
            }
        }
        return null;
    }

    @Override
    public void forEach(BiConsumer<? super AttributeKey<?>, ? super Object> consumer) {
        for (int i = 0; i < size; i++) {
            consumer.accept(keys[i], values[i]);
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public Map<AttributeKey<?>, Object> asMap() {
        Map<AttributeKey<?>, Object> map = new LinkedHashMap<>();
        forEach(map::put);
        return java.util.Collections.unmodifiableMap(map);
    }

    @Override
    @SuppressWarnings("unchecked")
    public AttributesBuilder toBuilder() {
        AttributesBuilder builder = Attributes.builder();
        forEach((key, value) -> builder.put((AttributeKey<Object>) key, value));
        return builder;
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
