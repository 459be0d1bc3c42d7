package io.tidegate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Deterministic test bodies: byte i of a stream is a function of i, so both ends can check it. */
public final class TestBytes {
    private TestBytes() {}

    static void fill(byte[] buffer, long offset, int size) {
        for (int i = 0; i < size; i++) {
            long p = offset + i;
            buffer[i] = (byte) (p * 31 + (p >>> 11));
        }
    }

    /** A stream of {@code n} deterministic bytes, produced as it is read (never held whole). */
    public static InputStream stream(long n) {
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= n) {
                    return -1;
                }
                int size = (int) Math.min(len, n - position);
                byte[] tmp = new byte[size];
                fill(tmp, position, size);
                System.arraycopy(tmp, 0, b, off, size);
                position += size;
                return size;
            }
        };
    }

    public static String sha256(long n) throws IOException {
        return sha256(stream(n));
    }

    public static String sha256(InputStream in) throws IOException {
        MessageDigest sha = UpstreamServer.sha256();
        byte[] buffer = new byte[65536];
        for (int r; (r = in.read(buffer)) > 0; ) {
            sha.update(buffer, 0, r);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
