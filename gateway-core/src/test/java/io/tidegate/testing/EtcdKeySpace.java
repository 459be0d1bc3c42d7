package io.tidegate.testing;

import io.tidegate.source.EtcdStore;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh key prefix on a shared {@link EtcdServer} (or {@link EtcdCluster}) for each test, with a
 * store on it for reading and writing keys directly, so tests sharing one etcd never see each
 * other's keys. Register it as an instance field after the server.
 */
public final class EtcdKeySpace implements BeforeEachCallback, AfterEachCallback {
    private final Function<String, EtcdStore> stores;
    private String prefix;
    private EtcdStore store;

    public EtcdKeySpace(EtcdServer etcd) {
        this.stores = etcd::store;
    }

    public EtcdKeySpace(EtcdCluster cluster) {
        this.stores = cluster::store;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        prefix = "/t" + UUID.randomUUID().toString().substring(0, 8);
        store = stores.apply(prefix);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        store.close();
    }

    /** This test's prefix, such as {@code /t1a2b3c4d}. */
    public String prefix() {
        return prefix;
    }

    public EtcdStore store() {
        return store;
    }

    /** Writes {@code value} under this test's prefix: {@code put("/routes/1", ...)}. */
    public void put(String key, String value) {
        store.put(prefix + key, value);
    }

    /** Deletes {@code key} under this test's prefix. */
    public void delete(String key) {
        store.delete(prefix + key);
    }
}
