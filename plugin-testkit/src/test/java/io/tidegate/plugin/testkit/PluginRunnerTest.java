package io.tidegate.plugin.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.NoConfig;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The runner keeps shared state as the gateway does: shared while held, closed with its last holder. */
class PluginRunnerTest {
    private static final AtomicInteger CLOSED = new AtomicInteger();

    /** A counter store every instance shares, as a rate limiter's would be. */
    private static final class Store implements AutoCloseable {
        @Override
        public void close() {
            CLOSED.incrementAndGet();
        }
    }

    private static final class Holder implements PluginInstance {
        final Store store;

        Holder(Store store) {
            this.store = store;
        }
    }

    private static final GatewayPlugin<NoConfig> SHARING = new GatewayPlugin<>() {
        @Override
        public String name() {
            return "sharing";
        }

        @Override
        public int priority() {
            return 1;
        }

        @Override
        public ConfigSchema<NoConfig> configSchema() {
            return ConfigSchema.none();
        }

        @Override
        public PluginInstance create(NoConfig config, PluginServices services) {
            return new Holder(services.shared("store", Store::new));
        }
    };

    @Test
    void sharedStateIsClosedWhenTheLastInstanceHoldingItCloses() throws Exception {
        Holder first = (Holder) PluginRunner.create(SHARING, "{}");
        Holder second = (Holder) PluginRunner.create(SHARING, "{}");
        assertSame(first.store, second.store, "one object for one key, as across configuration versions");
        int before = CLOSED.get();
        PluginRunner.close(first);
        assertEquals(before, CLOSED.get(), "still held by the second instance");
        PluginRunner.close(second);
        assertEquals(before + 1, CLOSED.get());
    }
}
