package io.tidegate.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.source.EtcdStore.Expectation;
import io.tidegate.testing.EtcdServer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Conditional writes against a real etcd: they commit exactly when what they expect still holds. */
class EtcdStoreTest {
    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer();

    private String prefix;
    private EtcdStore store;

    @BeforeEach
    void freshPrefix() {
        prefix = "/t" + UUID.randomUUID().toString().substring(0, 8);
        store = etcd.store(prefix);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aKeyExpectedUnchangedMustStillHaveTheRevisionRead() {
        String key = prefix + "/routes/1";
        assertTrue(store.putIf(List.of(Expectation.unchanged(key, 0)), key, "a"), "0: absent, as it is");
        assertFalse(store.putIf(List.of(Expectation.unchanged(key, 0)), key, "b"), "no longer absent");
        long read = store.get(key).modRevision();
        store.put(key, "c");
        assertFalse(store.putIf(List.of(Expectation.unchanged(key, read)), key, "d"), "changed since it was read");
        assertFalse(store.deleteIf(List.of(Expectation.unchanged(key, read)), key));
        assertEquals("c", store.get(key).value(), "nothing written by a failed commit");
        assertTrue(store.deleteIf(List.of(Expectation.unchanged(key, store.get(key).modRevision())), key));
        assertNull(store.get(key));
    }

    @Test
    void nothingWrittenUnderAFolderSeesEveryKeyCreatedOrChangedInIt() {
        String upstream = prefix + "/upstreams/u";
        String folder = prefix + "/routes/";
        store.put(prefix + "/routes/old", "{}");
        store.put(upstream, "{}");
        long read = store.list().revision();
        List<Expectation> quiet = List.of(Expectation.nothingWrittenUnder(folder, read));

        // neighbours of the folder do not count: same prefix without the slash, and a longer name
        store.put(prefix + "/routes", "{}");
        store.put(prefix + "/routesX/1", "{}");
        store.put(prefix + "/services/s", "{}");
        assertTrue(store.putIf(quiet, prefix + "/probe", "1"), "nothing under the folder changed");

        store.put(prefix + "/routes/new", "{}");
        assertFalse(store.deleteIf(quiet, upstream), "a key created under the folder after the read");
        assertEquals("{}", store.get(upstream).value());

        long later = store.list().revision();
        store.put(prefix + "/routes/old", "{\"changed\":true}");
        assertFalse(store.deleteIf(List.of(Expectation.nothingWrittenUnder(folder, later)), upstream), "a key changed under it");

        long last = store.list().revision();
        store.delete(prefix + "/routes/new");
        assertTrue(store.deleteIf(List.of(Expectation.nothingWrittenUnder(folder, last)), upstream),
                "a deletion leaves nothing to compare: deletions are not seen");
        assertNull(store.get(upstream));
    }
}
