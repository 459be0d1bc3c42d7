package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExactBytesTest {
    @Test
    void oneWriteOrManyGiveExactlyTheBytesWritten() {
        ExactBytes one = new ExactBytes();
        one.write("xx{\"a\":1}yy".getBytes(StandardCharsets.UTF_8), 2, 7);
        assertEquals("{\"a\":1}", new String(one.toByteArray(), StandardCharsets.UTF_8));

        ExactBytes many = new ExactBytes();
        many.write("{\"a\"".getBytes(StandardCharsets.UTF_8), 0, 4);
        many.write(':');
        many.write("-1}".getBytes(StandardCharsets.UTF_8), 1, 2);
        assertEquals("{\"a\":1}", new String(many.toByteArray(), StandardCharsets.UTF_8));

        assertArrayEquals(new byte[0], new ExactBytes().toByteArray());
    }
}
