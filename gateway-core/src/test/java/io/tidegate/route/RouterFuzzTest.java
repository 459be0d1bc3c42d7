package io.tidegate.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.http.PathNormaliser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the router and the path rule with generated route patterns and request paths (seed printed
 * on failure; {@code -Dfuzz.seed=N} replays it): building either works or refuses the pattern with a
 * message, matching never throws, an exact route always matches its own path, and normalising is
 * idempotent and leaves no dot segment or empty segment behind.
 */
class RouterFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final String[] PIECES = {"/", "a", "b", ":", "*", ".", "..", "%2F", "%2e", "-", "é", "{", "?", "//"};

    private static String path(Random random) {
        StringBuilder out = new StringBuilder("/");
        for (int i = random.nextInt(8); i > 0; i--) {
            out.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return out.toString();
    }

    @Test
    void buildingAndMatchingNeverCrash() {
        Random random = new Random(SEED);
        for (int round = 0; round < 300; round++) {
            Router.Builder<String> builder = Router.builder();
            List<String> exact = new ArrayList<>();
            for (int r = 0; r < 30; r++) {
                String pattern = path(random);
                List<String> hosts = random.nextInt(3) == 0 ? List.of(random.nextBoolean() ? "*.x.com" : "a.x.com") : List.of();
                try {
                    builder.add(pattern, List.of(pattern), hosts, new RouteConditions(java.util.Set.of(), List.of(), List.of()),
                            random.nextInt(3));
                    if (hosts.isEmpty() && !pattern.contains(":") && !pattern.contains("*")) {
                        exact.add(pattern);
                    }
                } catch (IllegalArgumentException e) {
                    assertNotNull(e.getMessage(), "a refused pattern says why: " + pattern);
                }
            }
            Router<String> router = builder.build();
            for (int q = 0; q < 50; q++) {
                String host = random.nextBoolean() ? "a.x.com" : "b.y.org";
                try {
                    router.match(FakeRequest.get(host, path(random)));
                } catch (RuntimeException e) {
                    throw new AssertionError("seed " + SEED + ": matching crashed", e);
                }
            }
            for (String pattern : exact) {
                assertNotNull(router.match(FakeRequest.get("z.z", pattern)), "seed " + SEED + ": " + pattern + " must match itself");
            }
        }
    }

    @Test
    void normalisedPathsHaveNoDotOrEmptySegments() {
        Random random = new Random(SEED + 1);
        for (int i = 0; i < 20_000; i++) {
            String raw = path(random);
            String normal = PathNormaliser.normalise(raw);
            if (normal == null) {
                assertTrue(raw.contains("..") || raw.toLowerCase().contains("%2e"), "only a climb above the root is refused: " + raw);
                continue;
            }
            assertTrue(normal.startsWith("/"), raw + " -> " + normal);
            assertFalse(normal.contains("//"), raw + " -> " + normal);
            for (String segment : normal.split("/")) {
                String dots = segment.replace("%2e", ".").replace("%2E", ".");
                assertFalse(dots.equals(".") || dots.equals(".."), "seed " + SEED + ": " + raw + " -> " + normal);
            }
            assertEquals(normal, PathNormaliser.normalise(normal), "idempotent: " + raw);
        }
    }
}
