package io.tidegate.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tidegate.config.Resources;
import io.tidegate.config.Route;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The etcd source's view of its keys: each value read once per text, only changed keys looked at again. */
class LastGoodVersionsTest {
    private static final String PREFIX = "/p";
    private final LastGoodVersions versions = new LastGoodVersions(new KeyedResources(PREFIX));

    private static String route(int i, String uri) {
        return "{\"uri\":\"" + uri + "\",\"upstream_id\":\"u\",\"desc\":\"route " + i + "\"}";
    }

    private Resources choose() {
        Resources resources = versions.choose().read().resources();
        versions.applied();
        return resources;
    }

    @Test
    void aChangeReadsOnlyTheKeyThatChanged() {
        versions.put(PREFIX + "/upstreams/u", "{\"nodes\":{\"127.0.0.1:1980\":1}}");
        for (int i = 0; i < 500; i++) {
            versions.put(PREFIX + "/routes/r" + String.format("%03d", i), route(i, "/r/" + i));
        }
        List<Route> first = choose().routes();
        assertEquals(500, first.size());

        versions.put(PREFIX + "/routes/r007", route(7, "/seven"));
        List<Route> second = choose().routes();
        assertEquals(500, second.size());
        for (int i = 0; i < 500; i++) {
            if (i == 7) {
                assertNotSame(first.get(i), second.get(i));
                assertEquals(List.of("/seven"), second.get(i).uris());
            } else {
                assertSame(first.get(i), second.get(i), "route " + i + " was read again though it did not change");
            }
        }
        // the same text again (a relisting, say) is not read again either
        versions.reset(Map.of(PREFIX + "/upstreams/u", "{\"nodes\":{\"127.0.0.1:1980\":1}}",
                PREFIX + "/routes/r007", route(7, "/seven")));
        List<Route> third = choose().routes();
        assertEquals(1, third.size());
        assertSame(second.get(7), third.get(0));
    }

    @Test
    void aKeyMovedDownKeepsServingItsLastGoodVersionUntilItsValueCompiles() {
        versions.put(PREFIX + "/routes/r", route(1, "/good"));
        choose();
        versions.put(PREFIX + "/routes/r", route(1, "/compiles-not"));
        LastGoodVersions.Choice choice = versions.choose();
        assertEquals(List.of("/compiles-not"), choice.read().resources().routes().get(0).uris());
        choice.demote(Map.of(PREFIX + "/routes/r", List.of("uri: a compile error")));
        assertEquals(List.of("/good"), choice.read().resources().routes().get(0).uris());
        assertEquals(Set.of(PREFIX + "/routes/r"), versions.applied());

        // the next change (to another key) tries its current value again, and its last good one after
        versions.put(PREFIX + "/routes/other", route(2, "/other"));
        LastGoodVersions.Choice next = versions.choose();
        assertEquals(List.of("/other", "/compiles-not"),  // in key order: .../other, .../r
                next.read().resources().routes().stream().map(route -> route.uris().get(0)).toList());
        assertEquals(Set.of(PREFIX + "/routes/r", PREFIX + "/routes/other"), versions.applied());
    }
}
