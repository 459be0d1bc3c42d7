package io.tidegate.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class RadixTreeTest {
    private static RadixTree<String> tree(String... patterns) {
        RadixTree<String> tree = new RadixTree<>(Comparator.naturalOrder());
        for (String p : patterns) {
            tree.insert(p, p);
        }
        return tree.freeze();
    }

    private static String first(RadixTree<String> tree, String path) {
        return tree.find(path, v -> true);
    }

    @Test
    void exactPrefixAndParameters() {
        RadixTree<String> t = tree("/", "/api", "/api*", "/api/v1/*", "/api/v1/users", "/user/:id", "/user/:id/posts/:post", "/static/*file");
        assertEquals("/", first(t, "/"));
        assertEquals("/api", first(t, "/api"));
        assertEquals("/api*", first(t, "/apix"));
        assertEquals("/api/v1/users", first(t, "/api/v1/users"));
        assertEquals("/api/v1/*", first(t, "/api/v1/users/1"));
        assertEquals("/api/v1/*", first(t, "/api/v1/"));
        assertEquals("/api*", first(t, "/api/v2"));
        assertEquals("/user/:id", first(t, "/user/42"));
        assertEquals("/user/:id/posts/:post", first(t, "/user/42/posts/7"));
        assertNull(first(t, "/user/42/posts"));
        assertNull(first(t, "/user/"));
        assertEquals("/static/*file", first(t, "/static/css/a.css"));
        assertNull(first(t, "/other"));
    }

    @Test
    void candidatesComeDeepestFirstAndFallBackWhenRejected() {
        RadixTree<String> t = tree("/*", "/a*", "/a/b*", "/a/b/c");
        List<String> seen = new ArrayList<>();
        assertNull(t.find("/a/b/c", v -> !seen.add(v)));
        assertEquals(List.of("/a/b/c", "/a/b*", "/a*", "/*"), seen);
    }

    @Test
    void staticBeatsParameterButParameterStillMatchesWhenStaticIsRejected() {
        RadixTree<String> t = tree("/u/admin", "/u/:name");
        assertEquals("/u/admin", first(t, "/u/admin"));
        assertEquals("/u/:name", t.find("/u/admin", v -> !v.equals("/u/admin")));
    }

    @Test
    void splitsSharedPrefixesCorrectly() {
        RadixTree<String> t = tree("/team", "/tea", "/teapot", "/te*");
        assertEquals("/tea", first(t, "/tea"));
        assertEquals("/team", first(t, "/team"));
        assertEquals("/teapot", first(t, "/teapot"));
        assertEquals("/te*", first(t, "/teams"));
        assertEquals("/te*", first(t, "/te"));
    }

    @Test
    void valuesOfOnePatternKeepTheirOrder() {
        RadixTree<String> t = new RadixTree<>(Comparator.comparing(String::length));
        t.insert("/p", "ccc");
        t.insert("/p", "a");
        t.insert("/p", "bb");
        t.freeze();
        List<String> seen = new ArrayList<>();
        t.find("/p", v -> !seen.add(v));
        assertEquals(List.of("a", "bb", "ccc"), seen);
    }

    @Test
    void rejectsMalformedPatterns() {
        RadixTree<String> t = new RadixTree<>(Comparator.naturalOrder());
        assertThrows(IllegalArgumentException.class, () -> t.insert("/a/*/b", "x"));
        assertThrows(IllegalArgumentException.class, () -> t.insert("/a/:/b", "x"));
    }

    @Test
    void lookupCostDoesNotDependOnRouteCount() {
        // Not a timing test: counts the candidates the predicate is asked about, which is what a
        // linear router would grow with.
        RadixTree<String> t = new RadixTree<>(Comparator.naturalOrder());
        for (int i = 0; i < 20_000; i++) {
            t.insert("/service/" + i + "/items", "r" + i);
        }
        t.freeze();
        int[] asked = {0};
        assertEquals("r12345", t.find("/service/12345/items", v -> ++asked[0] > 0));
        assertEquals(1, asked[0]);
    }
}
