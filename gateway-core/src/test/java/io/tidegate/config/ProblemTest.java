package io.tidegate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A problem is one line, whatever a configured value put in its path or message. */
class ProblemTest {
    @Test
    void controlCharactersAreEscapedInPathAndMessage() {
        Problem injected = new Problem("routes[0].headers.X\r\nY", "value \"a\nERROR forged line\" is invalid");
        assertEquals("routes[0].headers.X\\u000d\\u000aY: value \"a\\u000aERROR forged line\" is invalid", injected.text());
    }

    @Test
    void anItemsPathIsFollowedBackToItsList() {
        Problem problem = new Problem("routes[3].uri", "must start with /");
        assertEquals(3, problem.itemOf("routes"));
        assertEquals(-1, problem.itemOf("upstreams"));
        assertEquals(new Problem("uri", "must start with /"), problem.relativeTo("routes", 3));
    }
}
