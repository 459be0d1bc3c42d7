package io.tidegate.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DnsCacheTest {
    private final Map<String, List<String>> zone = new HashMap<>();
    private final DnsCache cache = new DnsCache(name -> {
        List<String> addresses = zone.get(name);
        if (addresses == null) {
            throw new IllegalStateException(name + ": unknown host");
        }
        return addresses;
    });

    @Test
    void aTrialCompilesLookupsLeaveTheServingCacheAsItWas() {
        zone.put("known.local", List.of("10.0.0.1"));
        zone.put("new.local", List.of("10.0.0.9"));
        cache.addresses("known.local");
        zone.put("known.local", List.of("10.0.0.2"));

        DnsCache trial = cache.lookingUpOnly();
        assertEquals(List.of("10.0.0.1"), trial.addresses("known.local"), "what the gateway serves with");
        assertEquals(List.of("10.0.0.9"), trial.addresses("new.local"));

        zone.put("new.local", List.of("10.0.0.10"));
        assertEquals(List.of("10.0.0.10"), cache.addresses("new.local"), "resolved afresh: the trial did not store it");
    }

    @Test
    void literalsNeedNoLookup() {
        assertEquals(List.of("10.0.0.1"), cache.addresses("10.0.0.1"));
        assertEquals(List.of("::1"), cache.addresses("::1"));
    }

    @Test
    void refreshPicksUpChangesAndKeepsLastAddressesWhenANameStopsResolving() {
        zone.put("svc.local", List.of("10.0.0.1"));
        assertEquals(List.of("10.0.0.1"), cache.addresses("svc.local"));
        assertFalse(cache.refresh(), "nothing changed");

        zone.put("svc.local", List.of("10.0.0.1", "10.0.0.2"));
        assertTrue(cache.refresh());
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), cache.addresses("svc.local"));

        zone.remove("svc.local");
        assertFalse(cache.refresh(), "a failing lookup is not a change");
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), cache.addresses("svc.local"), "last good addresses kept");
    }

    @Test
    void unknownNameResolvesToNothingUntilItAppears() {
        assertEquals(List.of(), cache.addresses("later.local"));
        zone.put("later.local", List.of("10.0.0.9"));
        assertTrue(cache.refresh());
        assertEquals(List.of("10.0.0.9"), cache.addresses("later.local"));
    }
}
