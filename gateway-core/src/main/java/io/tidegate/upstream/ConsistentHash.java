package io.tidegate.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A consistent-hash ring: each member owns {@value #POINTS_PER_WEIGHT} points per unit of weight
 * (capped), so adding or removing one of n nodes moves about 1/n of the keys. A key goes to the
 * first point clockwise from its hash; a retry walks on to the next member not tried.
 */
public final class ConsistentHash implements Balancer {
    static final int POINTS_PER_WEIGHT = 160;
    private static final int MAX_POINTS = 1 << 20;
    private final long[] points;
    private final int[] owners;
    private final int[] members;

    public ConsistentHash(int[] members, int[] weights, String[] identities) {
        long totalWeight = 0;
        for (int w : weights) {
            totalWeight += w;
        }
        double scale = totalWeight * POINTS_PER_WEIGHT > MAX_POINTS ? (double) MAX_POINTS / (totalWeight * POINTS_PER_WEIGHT) : 1;
        int total = 0;
        int[] perMember = new int[members.length];
        for (int i = 0; i < members.length; i++) {
            perMember[i] = (int) Math.max(1, Math.round(weights[i] * POINTS_PER_WEIGHT * scale));
            total += perMember[i];
        }
        long[][] ring = new long[total][];
        int k = 0;
        for (int i = 0; i < members.length; i++) {
            // points depend on the node's identity, not its position, so other nodes' points stay put
            for (int p = 0; p < perMember[i]; p++) {
                ring[k++] = new long[] {hash(identities[i] + "#" + p), members[i]};
            }
        }
        Arrays.sort(ring, (a, b) -> Long.compareUnsigned(a[0], b[0]));
        this.points = new long[total];
        this.owners = new int[total];
        for (int i = 0; i < total; i++) {
            points[i] = ring[i][0];
            owners[i] = (int) ring[i][1];
        }
        this.members = members.clone();
    }

    @Override
    public int pick(PickContext context) {
        int start = firstAtOrAfter(hash(context.hashKey()));
        if (allTried(context)) {
            return owners[start];
        }
        for (int i = 0; ; i++) {
            int owner = owners[(start + i) % points.length];
            if (!context.tried(owner)) {
                return owner;
            }
        }
    }

    private boolean allTried(PickContext context) {
        for (int m : members) {
            if (!context.tried(m)) {
                return false;
            }
        }
        return true;
    }

    private int firstAtOrAfter(long h) {
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(points[mid], h) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == points.length ? 0 : lo;
    }

    /** FNV-1a over UTF-8, then MurmurHash3's finaliser to spread similar keys across the ring. */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
