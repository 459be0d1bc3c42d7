package io.tidegate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VariablesTest {
    @Test
    void millisecondsReadAsNginxSecondsWithThreeDecimals() {
        assertEquals("0.000", Variables.millisAsSeconds(0));
        assertEquals("0.007", Variables.millisAsSeconds(7));
        assertEquals("0.042", Variables.millisAsSeconds(42));
        assertEquals("0.100", Variables.millisAsSeconds(100));
        assertEquals("12.345", Variables.millisAsSeconds(12_345));
        assertEquals("1764112997.010", Variables.millisAsSeconds(1_764_112_997_010L));
    }
}
