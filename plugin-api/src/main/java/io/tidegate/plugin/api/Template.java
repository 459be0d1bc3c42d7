package io.tidegate.plugin.api;

import java.util.List;
import java.util.function.Function;

/**
 * A text with variable references, compiled once by {@link PluginServices#template} and rendered
 * per request. One rule everywhere in the gateway (upstream hash keys, limit keys, rewrites, log
 * formats): {@code $name} or {@code ${name}} refers to a variable ({@link PluginContext#var}; a
 * name is a letter or {@code _} followed by letters, digits and {@code _}); {@code $0} to
 * {@code $9} and {@code ${N}} refer to a regex capture where the plugin supplies one (as
 * {@code ngx.re.sub} reads them); a {@code $} followed by
 * anything else is kept as it is. An unset variable renders as the empty string, and CR and LF are
 * dropped from every value, so a request can never add a line to what it is rendered into.
 */
public interface Template {
    /** The text with every reference replaced by its value for this request. */
    default String render(PluginContext context) {
        return render(context::var);
    }

    /** The text with every reference replaced by {@code values.apply(name)} (null: empty). */
    String render(Function<String, String> values);

    /** The names referred to, in order of first use. */
    List<String> variables();

    /** Whether the text refers to nothing (so it always renders the same). */
    default boolean isConstant() {
        return variables().isEmpty();
    }
}
