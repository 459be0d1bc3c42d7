package io.tidegate.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.source.EtcdStore.Expectation;
import io.tidegate.testing.EtcdKeySpace;
import io.tidegate.testing.EtcdServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Conditional writes against a real etcd: they commit exactly when what they expect still holds. */
class EtcdStoreTest {
    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer();

    @RegisterExtension
    final EtcdKeySpace keys = new EtcdKeySpace(etcd);

    @Test
    void aKeyExpectedUnchangedMustStillHaveTheRevisionRead() {
        String key = keys.prefix() + "/routes/1";
        assertTrue(keys.store().putIf(List.of(Expectation.unchanged(key, 0)), key, "a"), "0: absent, as it is");
        assertFalse(keys.store().putIf(List.of(Expectation.unchanged(key, 0)), key, "b"), "no longer absent");
        long read = keys.store().get(key).modRevision();
        keys.store().put(key, "c");
        assertFalse(keys.store().putIf(List.of(Expectation.unchanged(key, read)), key, "d"), "changed since it was read");
        assertFalse(keys.store().deleteIf(List.of(Expectation.unchanged(key, read)), key));
        assertEquals("c", keys.store().get(key).value(), "nothing written by a failed commit");
        assertTrue(keys.store().deleteIf(List.of(Expectation.unchanged(key, keys.store().get(key).modRevision())), key));
        assertNull(keys.store().get(key));
    }

    @Test
    void nothingWrittenUnderAFolderSeesEveryKeyCreatedOrChangedInIt() {
        String upstream = keys.prefix() + "/upstreams/u";
        String folder = keys.prefix() + "/routes/";
        keys.put("/routes/old", "{}");
        keys.store().put(upstream, "{}");
        long read = keys.store().list().revision();
        List<Expectation> quiet = List.of(Expectation.nothingWrittenUnder(folder, read));

        // neighbours of the folder do not count: same keys.prefix() without the slash, and a longer name
        keys.put("/routes", "{}");
        keys.put("/routesX/1", "{}");
        keys.put("/services/s", "{}");
        assertTrue(keys.store().putIf(quiet, keys.prefix() + "/probe", "1"), "nothing under the folder changed");

        keys.put("/routes/new", "{}");
        assertFalse(keys.store().deleteIf(quiet, upstream), "a key created under the folder after the read");
        assertEquals("{}", keys.store().get(upstream).value());

        long later = keys.store().list().revision();
        keys.put("/routes/old", "{\"changed\":true}");
        assertFalse(keys.store().deleteIf(List.of(Expectation.nothingWrittenUnder(folder, later)), upstream), "a key changed under it");

        long last = keys.store().list().revision();
        keys.delete("/routes/new");
        assertTrue(keys.store().deleteIf(List.of(Expectation.nothingWrittenUnder(folder, last)), upstream),
                "a deletion leaves nothing to compare: deletions are not seen");
        assertNull(keys.store().get(upstream));
    }

    @Test
    void aProbeAsksEachMemberWhetherItKnowsALeader() {
        EtcdStore.Quorum quorum = keys.store().probe();
        assertEquals(1, quorum.answering(), quorum.detail());
        assertTrue(quorum.leader(), quorum.detail());
        String unused = "http://127.0.0.1:" + io.tidegate.testing.FreePort.pick();
        try (EtcdStore two = new EtcdStore(new io.tidegate.config.EtcdSettings(List.of(unused, etcd.endpoint()), keys.prefix(),
                null, null, 2, null))) {
            EtcdStore.Quorum one = two.probe();
            assertEquals(1, one.answering(), one.detail());
            assertTrue(one.leader(), "one member down, the other leads: " + one.detail());
            assertTrue(one.detail().startsWith(unused.substring("http://".length()) + ": unreachable"), one.detail());
            two.put(keys.prefix() + "/routes/1", "{}");
            assertEquals("{}", two.get(keys.prefix() + "/routes/1").value(), "calls go to the member that is up");
        }
    }

    @Test
    void withNoMemberUpCallsFailAsUnavailableAndAWriteNeverSentIsKnownNotToApply() {
        String unused = "http://127.0.0.1:" + io.tidegate.testing.FreePort.pick();
        try (EtcdStore nowhere = new EtcdStore(new io.tidegate.config.EtcdSettings(List.of(unused), keys.prefix(), null, null, 2, null))) {
            EtcdStore.EtcdException failed = org.junit.jupiter.api.Assertions.assertThrows(EtcdStore.EtcdException.class,
                    () -> nowhere.put(keys.prefix() + "/routes/1", "{}"));
            assertTrue(failed.unavailable());
            assertFalse(failed.outcomeUnknown(), "refused connections: the write never left");
            assertTrue(failed.getMessage().startsWith("etcd is unavailable: no member reachable"), failed.getMessage());
            EtcdStore.Quorum quorum = nowhere.probe();
            assertEquals(0, quorum.answering());
            assertFalse(quorum.leader());
        }
    }
}
