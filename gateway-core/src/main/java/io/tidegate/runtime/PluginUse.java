package io.tidegate.runtime;

import io.tidegate.plugin.PluginBinding;
import io.tidegate.plugin.PluginChain;
import java.util.List;

/**
 * The plugin instances one version uses and how to let go of them when it closes: through the
 * ledger when versions share instances (a serving gateway), or directly when the version owns
 * them alone (a check that never serves).
 */
public final class PluginUse {
    public static final PluginUse NONE = new PluginUse(List.of(), null);

    private final List<PluginBinding> bindings;
    private final PluginLedger ledger;

    private PluginUse(List<PluginBinding> bindings, PluginLedger ledger) {
        this.bindings = bindings;
        this.ledger = ledger;
    }

    /** Instances this version alone uses: closing it closes them. */
    static PluginUse owned(List<PluginBinding> bindings) {
        return new PluginUse(List.copyOf(bindings), null);
    }

    /** Instances shared with other versions through {@code ledger}, counted as used from now on. */
    static PluginUse shared(List<PluginBinding> bindings, PluginLedger ledger) {
        ledger.acquire(bindings);
        return new PluginUse(List.copyOf(bindings), ledger);
    }

    void close() {
        if (ledger == null) {
            PluginChain.of(bindings).closeAll();
        } else {
            ledger.release(bindings);
        }
    }
}
