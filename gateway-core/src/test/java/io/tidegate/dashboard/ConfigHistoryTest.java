package io.tidegate.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configurations served, with what changed, bounded. */
class ConfigHistoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode document(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void eachEntrySaysWhatChangedAndGivesTheWholeDocumentBack() throws Exception {
        ConfigHistory history = new ConfigHistory(10, 1 << 20);
        assertTrue(history.record(document("{\"routes\":[{\"id\":\"a\",\"uri\":\"/a\"},{\"id\":\"b\",\"uri\":\"/b\"}],"
                + "\"consumers\":[{\"username\":\"jack\"}]}"), 1, "start"));
        assertFalse(history.record(document("{\"routes\":[{\"id\":\"a\",\"uri\":\"/a\"},{\"id\":\"b\",\"uri\":\"/b\"}],"
                + "\"consumers\":[{\"username\":\"jack\"}]}"), 2, "plugins"), "nothing changed: not recorded again");
        assertTrue(history.record(document("{\"routes\":[{\"id\":\"a\",\"uri\":\"/a2\"},{\"id\":\"c\",\"uri\":\"/c\"}],"
                + "\"consumers\":[]}"), 3, "admin"));
        ConfigHistory.Entry newest = history.entries().get(0);
        assertEquals(new ConfigHistory.Changes(List.of("routes/c"), List.of("routes/a"), List.of("routes/b", "consumers/jack")),
                newest.changes());
        assertEquals("/b", history.entry(1).document().path("routes").path(1).path("uri").asText());

        // the restore that made a version names it, even when the swap recorded it first
        ObjectNode restored = document("{\"routes\":[{\"id\":\"a\",\"uri\":\"/a\"}]}");
        assertTrue(history.record(restored, 4, "admin"));
        assertFalse(history.record(restored, 4, "restore of #1", true));
        assertEquals("restore of #1", history.entries().get(0).cause());
        assertEquals(3, history.entries().size(), "no entry added");
    }

    @Test
    void theOldestGoFirstPastTheCountOrTheSize() throws Exception {
        ConfigHistory byCount = new ConfigHistory(2, 1 << 20);
        for (int i = 1; i <= 3; i++) {
            byCount.record(document("{\"routes\":[{\"id\":\"" + i + "\"}]}"), i, "admin");
        }
        assertEquals(List.of(3L, 2L), byCount.entries().stream().map(ConfigHistory.Entry::seq).toList());
        assertNull(byCount.entry(1));

        ConfigHistory bySize = new ConfigHistory(50, 1);  // smaller than any entry: only the newest stays
        bySize.record(document("{\"routes\":[]}"), 1, "start");
        bySize.record(document("{\"routes\":[{\"id\":\"x\"}]}"), 2, "admin");
        assertEquals(List.of(2L), bySize.entries().stream().map(ConfigHistory.Entry::seq).toList());
    }
}
