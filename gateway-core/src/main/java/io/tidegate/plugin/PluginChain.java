package io.tidegate.plugin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plugins in the order a phase runs them: higher priority first (ties by name, so the order is
 * stable). Built once per configuration version.
 */
public final class PluginChain {
    public static final PluginChain EMPTY = new PluginChain(List.of());
    private static final Comparator<PluginBinding> ORDER =
            Comparator.comparingInt(PluginBinding::priority).reversed().thenComparing(PluginBinding::name);

    private final PluginBinding[] bindings;
    private final boolean filtersBody;
    private final int requestBodyHead;
    private final boolean choosesUpstreams;

    private PluginChain(List<PluginBinding> bindings) {
        this.bindings = bindings.toArray(new PluginBinding[0]);
        boolean any = false;
        int head = 0;
        boolean chooses = false;
        for (PluginBinding b : this.bindings) {
            any |= b.instance().filtersBody();
            head = Math.max(head, b.instance().requestBodyHead());
            chooses |= b.choosesUpstreams();
        }
        this.filtersBody = any;
        this.requestBodyHead = head;
        this.choosesUpstreams = chooses;
    }

    /** Whether a plugin of it may send a request to an upstream of its own (traffic-split). */
    public boolean choosesUpstreams() {
        return choosesUpstreams;
    }

    /** Sorts the given bindings by priority. */
    public static PluginChain of(List<PluginBinding> bindings) {
        if (bindings.isEmpty()) {
            return EMPTY;
        }
        List<PluginBinding> sorted = new ArrayList<>(bindings);
        sorted.sort(ORDER);
        return new PluginChain(sorted);
    }

    /** Global rules keep their own order, one rule after another; each rule's plugins by priority. */
    public static PluginChain concat(List<PluginChain> chains) {
        List<PluginBinding> all = new ArrayList<>();
        chains.forEach(c -> all.addAll(List.of(c.bindings)));
        return all.isEmpty() ? EMPTY : new PluginChain(all);
    }

    /** This chain with {@code overrides} replacing same-named plugins and adding the rest, re-sorted. */
    public PluginChain overriddenBy(PluginChain overrides) {
        if (overrides.isEmpty()) {
            return this;
        }
        Map<String, PluginBinding> byName = new LinkedHashMap<>();
        for (PluginBinding b : bindings) {
            byName.put(b.name(), b);
        }
        for (PluginBinding b : overrides.bindings) {
            byName.put(b.name(), b);
        }
        return of(new ArrayList<>(byName.values()));
    }

    /** This chain without the plugins named (those a more specific place turns off). */
    public PluginChain without(java.util.Set<String> names) {
        if (names.isEmpty()) {
            return this;
        }
        List<PluginBinding> kept = new ArrayList<>();
        for (PluginBinding b : bindings) {
            if (!names.contains(b.name())) {
                kept.add(b);
            }
        }
        return kept.size() == bindings.length ? this : of(kept);
    }

    public boolean isEmpty() {
        return bindings.length == 0;
    }

    public boolean filtersBody() {
        return filtersBody;
    }

    /** The most request body bytes any plugin of the chain wants to read in its log phase. */
    public int requestBodyHead() {
        return requestBodyHead;
    }

    /** The bindings, in run order. The array is shared: do not modify it. */
    public PluginBinding[] bindings() {
        return bindings;
    }

    public void closeAll() {
        for (PluginBinding b : bindings) {
            try {
                b.close();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(PluginChain.class).warn("plugin {} at {} failed to close", b.name(), b.place(), e);
            }
        }
    }
}
