package io.tidegate.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConsistentHashTest {
    private static PickContext key(String key, boolean... tried) {
        return new PickContext() {
            @Override
            public boolean tried(int node) {
                return node < tried.length && tried[node];
            }

            @Override
            public String hashKey() {
                return key;
            }
        };
    }

    private static ConsistentHash ring(int nodes) {
        int[] members = new int[nodes];
        int[] weights = new int[nodes];
        String[] ids = new String[nodes];
        for (int i = 0; i < nodes; i++) {
            members[i] = i;
            weights[i] = 1;
            ids[i] = "10.0.0." + i + ":80";
        }
        return new ConsistentHash(members, weights, ids);
    }

    @Test
    void addingANodeMovesAboutOneNthOfTheKeys() {
        ConsistentHash four = ring(4);
        ConsistentHash five = ring(5);
        int keys = 20_000;
        int moved = 0;
        for (int k = 0; k < keys; k++) {
            int before = four.pick(key("key-" + k));
            int after = five.pick(key("key-" + k));
            if (before != after) {
                moved++;
                assertEquals(4, after, "a key only ever moves to the new node");
            }
        }
        double share = (double) moved / keys;
        assertTrue(share > 0.15 && share < 0.25, "about 1/5 of the keys should move, moved " + share);
    }

    @Test
    void retryGoesToTheNextNodeOnTheRing() {
        ConsistentHash ring = ring(3);
        int first = ring.pick(key("k"));
        boolean[] tried = new boolean[3];
        tried[first] = true;
        int second = ring.pick(key("k", tried));
        assertNotEquals(first, second);
        tried[second] = true;
        int third = ring.pick(key("k", tried));
        assertNotEquals(first, third);
        assertNotEquals(second, third);
        tried[third] = true;
        assertEquals(first, ring.pick(key("k", tried)), "all tried: back to the key's own node");
    }
}
