package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DefaultEntryTest {
    @Test
    void theGatewaysTimesReadAsParseDoubleReadsThem() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 200_000; i++) {
            long millis = switch (i % 4) {
                case 0 -> random.nextInt(100_000);
                case 1 -> 1_700_000_000_000L + random.nextInt(Integer.MAX_VALUE);
                case 2 -> random.nextLong() & ((1L << 50) - 1);
                default -> i;
            };
            String text = millis / 1000 + "." + String.format("%03d", millis % 1000);
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(text)), Double.doubleToRawLongBits(DefaultEntry.seconds(text)), text);
            String integer = Long.toString(millis);
            assertEquals(Double.parseDouble(integer), DefaultEntry.seconds(integer), integer);
        }
        for (String odd : new String[] {"", ".5", "5.", "1e3", "-0.5", " 1.0", "1.2.3", "0.1234567890123456789", "9999999999999999", "NaN", "x"}) {
            double expected;
            try {
                expected = Double.parseDouble(odd);
            } catch (NumberFormatException e) {
                expected = 0;
            }
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(DefaultEntry.seconds(odd)), odd);
        }
    }
}
