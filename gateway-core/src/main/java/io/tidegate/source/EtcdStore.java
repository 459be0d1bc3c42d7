package io.tidegate.source;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.tidegate.config.EtcdSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's view of etcd: the keys under the configured prefix, read, written (also
 * conditionally, in one transaction) and watched with jetcd. Every blocking call is bounded by the
 * configured timeout and fails with {@link EtcdException}; nothing here runs on an IO thread. A
 * connection lost to an outage is replaced on request ({@link #reconnectIfLost}) rather than left
 * to gRPC's slow reconnect backoff.
 */
public final class EtcdStore implements AutoCloseable {
    /** One key as etcd holds it; revisions are APISIX's createdIndex and modifiedIndex. */
    public record Entry(String key, String value, long createRevision, long modRevision) {}

    /** Every key under the prefix, as of {@code revision}. */
    public record Listing(List<Entry> entries, long revision) {
        /** Key to value, in key order. */
        public java.util.TreeMap<String, String> values() {
            java.util.TreeMap<String, String> values = new java.util.TreeMap<>();
            entries.forEach(entry -> values.put(entry.key(), entry.value()));
            return values;
        }
    }

    /**
     * What a conditional write ({@link #putIf}, {@link #deleteIf}) requires of etcd at the moment
     * it commits, typically that what a {@link Listing} showed still holds.
     */
    public sealed interface Expectation {
        /** The key still has this mod revision; 0: the key still does not exist. */
        static Expectation unchanged(String key, long modRevision) {
            if (key.endsWith("/")) {
                throw new IllegalArgumentException("a folder, not a key: " + key);
            }
            return new Unchanged(key, modRevision);
        }

        /**
         * No key under {@code folder} (a key prefix ending in {@code /}, such as
         * {@code /apisix/routes/}) was created or changed after {@code revision}. Deleted keys are
         * not seen: a deletion leaves nothing in the range to compare.
         */
        static Expectation nothingWrittenUnder(String folder, long revision) {
            if (!folder.endsWith("/")) {
                throw new IllegalArgumentException("not a folder: " + folder);
            }
            return new NothingWrittenUnder(folder, revision);
        }
    }

    private record Unchanged(String key, long modRevision) implements Expectation {}

    private record NothingWrittenUnder(String folder, long revision) implements Expectation {}

    /** A change seen by a watch; {@code entry.value()} is null for a deletion. */
    public record Change(Entry entry, boolean deleted) {}

    private static final Logger log = LoggerFactory.getLogger(EtcdStore.class);
    /** gRPC's connect timeout: long enough for any network an etcd cluster runs on, short enough to move on. */
    private static final long CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final int PROBE_TIMEOUT_MILLIS = 250;
    private static final long MIN_RECONNECT_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_RECONNECT_GAP_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final ClientBuilder builder;
    private final List<URI> endpoints;
    private final String prefix;
    private final long timeoutMillis;
    private volatile Client client;
    /** A call failed as a lost connection does, since the client was built. */
    private volatile boolean connectionLost;
    /** A call succeeded since the last reconnect (or there was none). */
    private volatile boolean answeredSinceReconnect = true;
    private long lastReconnectNanos;  // guarded by this
    private long reconnectGapNanos;   // guarded by this
    private boolean closed;           // guarded by this

    public EtcdStore(EtcdSettings settings) {
        this.timeoutMillis = Math.round(settings.timeoutSeconds() * 1000);
        this.builder = Client.builder()
                .endpoints(settings.endpoints().toArray(new String[0]))
                .connectTimeout(Duration.ofMillis(Math.min(timeoutMillis, CONNECT_TIMEOUT_MILLIS)))
                // notice a connection that died without a word (etcd's host gone, a partition) within
                // 15 s rather than jetcd's 40; 10 s is gRPC's floor and above etcd's minimum (5 s)
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(5))
                // jetcd retries a failed call twice on its own, by default 0.5 s and 1 s later; against a
                // lost connection that only postpones the failure the callers act on
                .retryDelay(50)
                .retryMaxDelay(250)
                // fail a call rather than queue it while etcd is away: the callers retry on their own
                .waitForReady(false)
                .interceptor(new FolderCompares());
        if (settings.user() != null) {
            this.builder.user(bytes(settings.user())).password(bytes(settings.password()));
        }
        if (settings.tls() != null) {
            this.builder.sslContext(EtcdTls.context(settings.tls()));
        }
        this.endpoints = settings.endpoints().stream().map(URI::create).toList();
        this.client = builder.build();
        this.prefix = settings.prefix();
    }

    public String prefix() {
        return prefix;
    }

    /** Every key under the prefix. */
    public Listing list() {
        return list(prefix + "/");
    }

    /** Every key under {@code folder} (a key prefix ending in {@code /}, such as {@code /apisix/consumers/}). */
    public Listing list(String folder) {
        if (!folder.endsWith("/")) {
            throw new IllegalArgumentException("not a folder: " + folder);
        }
        GetResponse response = await(client.getKVClient().get(bytes(folder), GetOption.builder().isPrefix(true).build()));
        return new Listing(response.getKvs().stream().map(EtcdStore::entry).toList(), response.getHeader().getRevision());
    }

    /**
     * The entries of {@code keys} (those that exist) and of every key under each of {@code folders},
     * all read at one revision in one round trip (one transaction of reads).
     */
    public Listing read(Collection<String> keys, Collection<String> folders) {
        List<Op> reads = new ArrayList<>();
        keys.forEach(key -> reads.add(Op.get(bytes(key), GetOption.DEFAULT)));
        folders.forEach(folder -> {
            if (!folder.endsWith("/")) {
                throw new IllegalArgumentException("not a folder: " + folder);
            }
            reads.add(Op.get(bytes(folder), GetOption.builder().isPrefix(true).build()));
        });
        TxnResponse response = await(client.getKVClient().txn().Then(reads.toArray(new Op[0])).commit());
        Map<String, Entry> entries = new LinkedHashMap<>();
        response.getGetResponses().forEach(got -> got.getKvs().forEach(kv -> {
            Entry entry = entry(kv);
            entries.putIfAbsent(entry.key(), entry);
        }));
        return new Listing(List.copyOf(entries.values()), response.getHeader().getRevision());
    }

    /**
     * Whether some endpoint accepts a TCP connection now: a cheap sign that etcd is back, which
     * does not wait for gRPC's reconnect backoff.
     */
    public boolean reachable() {
        for (URI endpoint : endpoints) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort() < 0 ? 2379 : endpoint.getPort()),
                        PROBE_TIMEOUT_MILLIS);
                return true;
            } catch (IOException | IllegalArgumentException e) {
                // not this one
            }
        }
        return false;
    }

    /**
     * Replaces jetcd's client when a call failed as a lost connection does. gRPC reconnects a lost
     * channel on its own backoff (1 s, growing by 1.6 up to 2 min) and fails every call until that
     * timer fires, so after an outage the old channel can stay useless for seconds after etcd is
     * back; a new client connects at once. Meant for when etcd accepts connections again
     * ({@link #reachable}). If the new client fails too (etcd answers TCP but not us: TLS, auth),
     * the next replacement waits 1 s, then twice as long each time, up to 30 s.
     */
    public synchronized void reconnectIfLost() {
        if (closed || !connectionLost) {
            return;
        }
        long now = System.nanoTime();
        if (answeredSinceReconnect) {
            reconnectGapNanos = 0;
        } else if (now - lastReconnectNanos < reconnectGapNanos) {
            return;
        }
        Client lost = client;
        client = builder.build();
        connectionLost = false;
        answeredSinceReconnect = false;
        lastReconnectNanos = now;
        reconnectGapNanos = reconnectGapNanos == 0 ? MIN_RECONNECT_GAP_NANOS : Math.min(MAX_RECONNECT_GAP_NANOS, reconnectGapNanos * 2);
        lost.close();
        log.info("etcd {}: connecting afresh, the previous connection was lost", prefix);
    }

    /** The key's entry, or null when it does not exist. */
    public Entry get(String key) {
        GetResponse response = await(client.getKVClient().get(bytes(key)));
        return response.getKvs().isEmpty() ? null : entry(response.getKvs().get(0));
    }

    /** Writes the key; true when it did not exist before. */
    public boolean put(String key, String value) {
        PutResponse response = await(client.getKVClient().put(bytes(key), bytes(value), PutOption.builder().withPrevKV().build()));
        return !response.hasPrevKv();
    }

    /** Deletes the key; false when there was nothing to delete. */
    public boolean delete(String key) {
        return await(client.getKVClient().delete(bytes(key))).getDeleted() > 0;
    }

    /**
     * Writes the key only if every expectation holds when etcd commits (one transaction); false,
     * with nothing written, when one does not.
     */
    public boolean putIf(List<Expectation> expected, String key, String value) {
        return commitIf(expected, Op.put(bytes(key), bytes(value), PutOption.DEFAULT));
    }

    /** Deletes the key only if every expectation holds when etcd commits; false, with nothing deleted, when one does not. */
    public boolean deleteIf(List<Expectation> expected, String key) {
        return commitIf(expected, Op.delete(bytes(key), DeleteOption.DEFAULT));
    }

    private boolean commitIf(List<Expectation> expected, Op write) {
        Cmp[] compares = expected.stream().map(EtcdStore::compare).toArray(Cmp[]::new);
        return await(client.getKVClient().txn().If(compares).Then(write).commit()).isSucceeded();
    }

    private static Cmp compare(Expectation expectation) {
        if (expectation instanceof Unchanged unchanged) {
            // etcd compares a missing key as one with every revision 0
            return new Cmp(bytes(unchanged.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(unchanged.modRevision()));
        }
        NothingWrittenUnder folder = (NothingWrittenUnder) expectation;
        // a compare on a key ending in "/" is widened to every key under it by FolderCompares
        return new Cmp(bytes(folder.folder()), Cmp.Op.LESS, CmpTarget.modRevision(folder.revision() + 1));
    }

    /**
     * etcd compares a whole key range when a compare carries {@code range_end} ("every key in
     * [key, range_end) has mod_revision &lt; n"), but jetcd's {@link Cmp} cannot say so. This
     * interceptor, the one place that knows, adds the range on the way out to every transaction
     * compare whose key ends in {@code /}: a folder, never a resource key (those end in an id).
     * Should jetcd stop routing transactions through interceptors, the compare would quietly
     * become one on a key that never exists; EtcdStoreTest proves the range reaches etcd.
     */
    private static final class FolderCompares implements ClientInterceptor {
        private static final String TXN = KVGrpc.getTxnMethod().getFullMethodName();

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            ClientCall<Q, R> call = next.newCall(method, options);
            if (!method.getFullMethodName().equals(TXN)) {
                return call;
            }
            return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
                @Override
                @SuppressWarnings("unchecked")
                public void sendMessage(Q message) {
                    super.sendMessage(message instanceof TxnRequest txn ? (Q) widened(txn) : message);
                }
            };
        }

        static TxnRequest widened(TxnRequest txn) {
            TxnRequest.Builder out = txn.toBuilder();
            for (int i = 0; i < out.getCompareCount(); i++) {
                Compare compare = out.getCompare(i);
                ByteString key = compare.getKey();
                if (compare.getRangeEnd().isEmpty() && !key.isEmpty() && key.byteAt(key.size() - 1) == '/') {
                    // the first key after every key starting with "folder/" is "folder0" ('0' follows '/')
                    byte[] end = key.toByteArray();
                    end[end.length - 1] = '/' + 1;
                    out.setCompare(i, compare.toBuilder().setRangeEnd(ByteString.copyFrom(end)));
                }
            }
            return out.build();
        }
    }

    /**
     * Watches every key under the prefix from {@code fromRevision}. {@code onError} hears of a
     * compaction past that revision or a watch etcd ended; the watch is then over.
     */
    public Watch.Watcher watch(long fromRevision, Consumer<List<Change>> onChanges, Consumer<Throwable> onError) {
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
        return client.getWatchClient().watch(bytes(prefix + "/"), option, Watch.listener(
                response -> onChanges.accept(response.getEvents().stream()
                        .map(event -> new Change(entry(event.getKeyValue()), event.getEventType() == WatchEvent.EventType.DELETE))
                        .toList()),
                error -> {
                    noteFailure(error);
                    onError.accept(error);
                },
                () -> onError.accept(new EtcdException("the watch was closed by etcd"))));
    }

    private <T> T await(CompletableFuture<T> call) {
        try {
            T result = call.get(timeoutMillis, TimeUnit.MILLISECONDS);
            answeredSinceReconnect = true;
            return result;
        } catch (TimeoutException e) {
            call.cancel(true);
            connectionLost = true;
            throw new EtcdException("etcd did not answer within " + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            noteFailure(e.getCause() == null ? e : e.getCause());
            throw new EtcdException(describe(e.getCause() == null ? e : e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdException("interrupted");
        }
    }

    /** Remembers a failure that a lost connection explains, for {@link #reconnectIfLost}. */
    private void noteFailure(Throwable failure) {
        Status.Code code = Status.fromThrowable(failure).getCode();
        if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
            connectionLost = true;
        }
    }

    /**
     * gRPC reports a refused TLS handshake as "UNAVAILABLE: io exception"; the reason an operator
     * needs (an unknown authority, a host name the certificate does not name) is the innermost cause.
     */
    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(failure.getMessage()).lines().findFirst().orElse("");
        return root == failure || root.getMessage() == null ? message : message + " (" + root.getMessage() + ")";
    }

    private static Entry entry(KeyValue kv) {
        return new Entry(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8),
                kv.getCreateRevision(), kv.getModRevision());
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        closed = true;
        client.close();
    }

    /** etcd could not be reached or refused the call. */
    public static final class EtcdException extends RuntimeException {
        public EtcdException(String message) {
            super(message);
        }
    }
}
