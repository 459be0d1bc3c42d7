package io.tidegate.plugins.keyauth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KeyAuthInstanceTest {
    @Test
    void removesOnlyTheNamedArgument() {
        assertEquals("a=1&b=2", KeyAuthInstance.withoutArg("a=1&apikey=x&b=2", "apikey"));
        assertEquals("", KeyAuthInstance.withoutArg("apikey=x&api%6Bey=y", "apikey"));
        assertEquals("apikeys=1", KeyAuthInstance.withoutArg("apikeys=1", "apikey"));
        assertEquals("", KeyAuthInstance.withoutArg("", "apikey"));
    }
}
