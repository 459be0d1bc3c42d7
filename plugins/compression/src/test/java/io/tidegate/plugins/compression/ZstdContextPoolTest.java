package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZstdContextPoolTest {
    @Test
    void aContextComesBackResetForItsLevel() {
        try (ZstdContextPool pool = new ZstdContextPool()) {
            ZstdCompressCtx context = pool.take(3);
            ByteBuffer out = ByteBuffer.allocate(1 << 16);
            context.compressByteBufferStream(out, ByteBuffer.wrap(Origin.text(5000)), EndDirective.CONTINUE);  // a frame left open
            pool.give(3, context);
            assertSame(context, pool.take(3));
            assertNotSame(context, pool.take(4), "kept per level");
            out.clear();
            context.compressByteBufferStream(out, ByteBuffer.wrap(Origin.text(3000)), EndDirective.END);
            assertArrayEquals(Origin.text(3000), Decoded.zstd(Arrays.copyOf(out.array(), out.position())), "a new frame");
        }
    }

    @Test
    void onlyAFewAreKeptAndNoneAfterClosing() {
        ZstdContextPool pool = new ZstdContextPool();
        List<ZstdCompressCtx> taken = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            taken.add(pool.take(1));
        }
        taken.forEach(context -> pool.give(1, context));
        assertThrows(RuntimeException.class, () -> taken.get(9).setLevel(1), "the ninth and tenth were closed");
        pool.close();
        assertThrows(RuntimeException.class, () -> taken.get(0).setLevel(1), "closing closes the idle ones");
        ZstdCompressCtx late = new ZstdCompressCtx();
        pool.give(1, late);
        assertThrows(RuntimeException.class, () -> late.setLevel(1), "one given back after closing is closed at once");
    }
}
