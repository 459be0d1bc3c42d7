package io.tidegate.plugins.loggers;

import io.tidegate.plugin.api.DropCounter;
import java.util.HashMap;
import java.util.Map;

/**
 * One batch sender per distinct http-logger setting, shared by every configuration version that
 * uses it. A reload then neither cuts a batch short nor loses the entries of requests still running
 * on the old version: they land in the same queue. The sender closes (sending what waits) when the
 * last version using it is released.
 */
final class SharedSenders {
    private final Map<BatchSender.Settings, Lease> leases = new HashMap<>();

    /** A use of a sender; {@link #release} once the plugin instance holding it closes. */
    final class Lease {
        private final BatchSender.Settings settings;
        private final BatchSender sender;
        private int holders;

        private Lease(BatchSender.Settings settings, BatchSender sender) {
            this.settings = settings;
            this.sender = sender;
        }

        BatchSender sender() {
            return sender;
        }

        void release() {
            boolean last;
            synchronized (SharedSenders.this) {
                last = --holders == 0;
                if (last) {
                    leases.remove(settings);
                }
            }
            if (last) {
                sender.close();
            }
        }
    }

    synchronized Lease acquire(BatchSender.Settings settings, DropCounter dropped) {
        Lease lease = leases.computeIfAbsent(settings, s -> new Lease(s, new BatchSender(s, dropped)));
        lease.holders++;
        return lease;
    }

    synchronized int open() {
        return leases.size();
    }
}
