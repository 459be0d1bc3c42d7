package io.tidegate.config;

import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * A 64-bit checksum of a configuration file's bytes, to tell whether it changed: two different
 * CRCs side by side, so an accidental match is as unlikely as with a 64-bit hash. CRCs run as
 * machine instructions even before the JIT has compiled anything; SHA-256, which this replaced,
 * took 60 ms of a start-up with 10,000 routes and a core's share every time the watcher looked.
 */
public final class Checksum {
    private Checksum() {}

    public static long of(byte[] bytes) {
        CRC32 crc32 = new CRC32();
        crc32.update(bytes);
        CRC32C crc32c = new CRC32C();
        crc32c.update(bytes);
        return crc32.getValue() << 32 | crc32c.getValue();
    }
}
