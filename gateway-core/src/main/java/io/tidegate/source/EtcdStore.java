package io.tidegate.source;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.StatusRequest;
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
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.tidegate.config.EtcdSettings;
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
 * configured timeout (or a shorter bound a caller sets, {@link #boundCalls}) and fails with
 * {@link EtcdException}, which tells an unavailable cluster (no quorum, no member reachable, no
 * answer in time) from a refusal; nothing here runs on an IO thread. With several endpoints, calls
 * are spread over the members that are up (gRPC round robin) and a member going down costs only
 * the calls in flight on it. A connection lost to an outage is replaced on request
 * ({@link #reconnectIfLost}) rather than left to gRPC's slow reconnect backoff; whether the cluster
 * has a quorum again is asked of each member directly ({@link #probe}).
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
    /**
     * How long a write (put, delete, transaction) may take, at most: it goes to etcd with this gRPC
     * deadline, so that etcd gives it up when its caller does (see {@link WriteDeadlines}). Callers
     * that answer someone bound their calls by as much ({@link #boundCalls}).
     */
    public static final long WRITE_BOUND_MILLIS = 3_000;
    /** How long {@link #probe} waits for the members' statuses. */
    private static final long PROBE_TIMEOUT_MILLIS = 500;
    /**
     * How long the probes must have found no leader before bounded callers are refused without
     * asking etcd: longer than an election takes with etcd's defaults (a 1 s election timeout,
     * randomised up to 2 s, then a vote), so a write made during an election waits for it instead.
     */
    static final long LEADERLESS_MILLIS = 3_000;
    /** A probe older than this says nothing about now. */
    private static final long FRESH_PROBE_MILLIS = 1_000;
    private static final long MIN_RECONNECT_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_RECONNECT_GAP_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final ClientBuilder builder;
    private final List<String> endpoints;
    /** TLS towards {@code https://} endpoints; null for {@code http://}. */
    private final io.netty.handler.ssl.SslContext tls;
    /** Clients replaced by {@link #reconnectIfLost}, closed once the calls still running on them are over. */
    private final java.util.Set<Client> retiring = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** A bound a caller set for the calls it makes on its thread ({@link #boundCalls}); null: the timeout. */
    private final ThreadLocal<Long> callBound = new ThreadLocal<>();
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
    private Quorum lastProbe;         // guarded by this
    private long lastProbeNanos;      // guarded by this
    /** The probes have found no leader since leaderlessSinceNanos. */
    private boolean leaderless;       // guarded by this
    private long leaderlessSinceNanos; // guarded by this

    public EtcdStore(EtcdSettings settings) {
        this.timeoutMillis = Math.round(settings.timeoutSeconds() * 1000);
        this.tls = settings.tls() == null ? null : EtcdTls.context(settings.tls());
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
                .interceptor(new FolderCompares(), new WriteDeadlines(Math.min(timeoutMillis, WRITE_BOUND_MILLIS)));
        if (settings.user() != null) {
            this.builder.user(bytes(settings.user())).password(bytes(settings.password()));
        }
        if (tls != null) {
            this.builder.sslContext(tls);
        }
        this.endpoints = List.copyOf(settings.endpoints());
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
        return list(folder, false);
    }

    /**
     * Every key under {@code folder}; with {@code anyMember}, as the member asked holds them
     * (etcd's serializable read): answered without a quorum, but possibly missing the latest writes.
     */
    public Listing list(String folder, boolean anyMember) {
        if (!folder.endsWith("/")) {
            throw new IllegalArgumentException("not a folder: " + folder);
        }
        GetResponse response = await(!anyMember, () -> client.getKVClient().get(bytes(folder),
                GetOption.builder().isPrefix(true).withSerializable(anyMember).build()));
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
        TxnResponse response = await(true, () -> client.getKVClient().txn().Then(reads.toArray(new Op[0])).commit());
        Map<String, Entry> entries = new LinkedHashMap<>();
        response.getGetResponses().forEach(got -> got.getKvs().forEach(kv -> {
            Entry entry = entry(kv);
            entries.putIfAbsent(entry.key(), entry);
        }));
        return new Listing(List.copyOf(entries.values()), response.getHeader().getRevision());
    }

    /**
     * What the members say, asked all at once, each on a new connection (so gRPC's reconnect
     * backoff on the shared one holds nothing up), within half a second.
     *
     * @param answering how many members answered
     * @param leader    whether one that answered follows a leader (or is it): the cluster has a
     *                  quorum, since a leader needs one to be elected, and a member cut off from
     *                  its leader stops naming it within an election timeout
     * @param detail    what the members said, for the log: {@code 127.0.0.1:2379: no leader}
     */
    public record Quorum(int answering, int members, boolean leader, String detail) {}

    /**
     * Asks every member whether it knows a leader: a member's status is its own view, answered at
     * once, quorum or not. Unlike a linearizable read it never waits for an election; unlike a TCP
     * probe it tells a member that is up but alone from a cluster that can serve.
     */
    public Quorum probe() {
        Map<String, ManagedChannel> channels = new LinkedHashMap<>();
        Map<String, com.google.common.util.concurrent.ListenableFuture<io.etcd.jetcd.api.StatusResponse>> asked = new LinkedHashMap<>();
        int answering = 0;
        boolean leader = false;
        List<String> said = new ArrayList<>();
        try {
            for (String endpoint : endpoints) {
                URI uri = URI.create(endpoint);
                String member = uri.getHost() + ":" + (uri.getPort() < 0 ? 2379 : uri.getPort());
                // a new connection each time: no reconnect backoff, nothing kept between outages
                NettyChannelBuilder channel = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort() < 0 ? 2379 : uri.getPort());
                if (tls != null) {
                    channel.sslContext(tls);
                } else {
                    channel.usePlaintext();
                }
                ManagedChannel open = channel.build();
                channels.put(member, open);
                // etcd answers a status without credentials: no token to fetch first
                asked.put(member, MaintenanceGrpc.newFutureStub(open).withDeadlineAfter(PROBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                        .status(StatusRequest.getDefaultInstance()));
            }
            for (Map.Entry<String, com.google.common.util.concurrent.ListenableFuture<io.etcd.jetcd.api.StatusResponse>> ask
                    : asked.entrySet()) {
                try {
                    io.etcd.jetcd.api.StatusResponse status = ask.getValue().get(PROBE_TIMEOUT_MILLIS + 500, TimeUnit.MILLISECONDS);
                    answering++;
                    if (status.getLeader() != 0 && status.getErrorsCount() == 0) {
                        leader = true;
                        said.add(ask.getKey() + ": leader " + Long.toHexString(status.getLeader()));
                    } else {
                        said.add(ask.getKey() + ": " + (status.getErrorsCount() == 0 ? "no leader" : String.join(", ", status.getErrorsList())));
                    }
                } catch (TimeoutException e) {
                    said.add(ask.getKey() + ": no answer");
                } catch (ExecutionException e) {
                    Status status = Status.fromThrowable(e.getCause());
                    said.add(ask.getKey() + ": " + (status.getCode() == Status.Code.DEADLINE_EXCEEDED ? "no answer"
                            : status.getCode() == Status.Code.UNAVAILABLE ? "unreachable (" + rootMessage(e.getCause()) + ")"
                            : describe(e.getCause())));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            channels.values().forEach(ManagedChannel::shutdownNow);
        }
        Quorum quorum = new Quorum(answering, endpoints.size(), leader, String.join("; ", said));
        noted(quorum);
        return quorum;
    }

    /** Remembers what a probe found, for {@link #quorumLostFor}. */
    private synchronized void noted(Quorum quorum) {
        long now = System.nanoTime();
        lastProbe = quorum;
        lastProbeNanos = now;
        if (quorum.leader()) {
            leaderless = false;
        } else if (!leaderless) {
            leaderless = true;
            leaderlessSinceNanos = now;
        }
    }

    /**
     * Why calls needing a quorum cannot be served now, when the probes (every 100 ms while the
     * source waits for etcd, {@code EtcdSource}) have found no member knowing a leader for longer
     * than {@link #LEADERLESS_MILLIS} and the last one is fresh; null otherwise (etcd is taken to
     * be fine, or an election may still end: calls are then made and bounded as usual).
     */
    private synchronized String quorumLostFor() {
        long now = System.nanoTime();
        if (!leaderless || now - lastProbeNanos > TimeUnit.MILLISECONDS.toNanos(FRESH_PROBE_MILLIS)
                || now - leaderlessSinceNanos < TimeUnit.MILLISECONDS.toNanos(LEADERLESS_MILLIS)) {
            return null;
        }
        return "etcd is unavailable: " + (lastProbe.answering() == 0 ? "no member reachable" : "no quorum")
                + " (no member has known a leader for " + (now - leaderlessSinceNanos) / 1_000_000 + " ms; "
                + lastProbe.detail() + ")";
    }

    private static String rootMessage(Throwable failure) {
        return String.valueOf(rootCause(failure).getMessage());
    }

    private static boolean tlsFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return failure.getMessage() != null && failure.getMessage().contains("ssl exception");
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /**
     * Bounds every etcd call this thread makes until the returned handle is closed by
     * {@code millis} (or the timeout, when shorter): a caller that answers someone (the Admin API)
     * fails fast when etcd has no quorum, where a call would otherwise wait for etcd's own timeout.
     */
    public Bound boundCalls(long millis) {
        Long previous = callBound.get();
        callBound.set(previous == null ? millis : Math.min(previous, millis));
        return () -> {
            if (previous == null) {
                callBound.remove();
            } else {
                callBound.set(previous);
            }
        };
    }

    /** Ends a {@link #boundCalls} scope. */
    public interface Bound extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Replaces jetcd's client when a call failed as a lost connection does. gRPC reconnects a lost
     * channel on its own backoff (1 s, growing by 1.6 up to 2 min) and fails every call until that
     * timer fires, so after an outage the old channel can stay useless for seconds after etcd is
     * back; a new client connects at once. Meant for when etcd answers again ({@link #probe}). If
     * the new client fails too (etcd answers a status but not us: auth), the next replacement
     * waits 1 s, then twice as long each time, up to 30 s. Calls still running on the replaced
     * client finish there (it is closed after the timeout).
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
        // calls still running on the old client (an Admin API write to a member that is up) end on
        // their own, each within the timeout; closing it now would fail them
        retiring.add(lost);
        CompletableFuture.delayedExecutor(timeoutMillis + 1_000, TimeUnit.MILLISECONDS).execute(() -> {
            if (retiring.remove(lost)) {
                lost.close();
            }
        });
        log.info("etcd {}: connecting afresh, the previous connection was lost", prefix);
    }

    /** The key's entry, or null when it does not exist. */
    public Entry get(String key) {
        return get(key, false);
    }

    /** The key's entry, or null; with {@code anyMember} as the member asked holds it (see {@link #list(String, boolean)}). */
    public Entry get(String key, boolean anyMember) {
        GetResponse response = await(!anyMember, () -> client.getKVClient().get(bytes(key),
                GetOption.builder().withSerializable(anyMember).build()));
        return response.getKvs().isEmpty() ? null : entry(response.getKvs().get(0));
    }

    /** Writes the key; true when it did not exist before. */
    public boolean put(String key, String value) {
        PutResponse response = await(true, () -> client.getKVClient().put(bytes(key), bytes(value), PutOption.builder().withPrevKV().build()));
        return !response.hasPrevKv();
    }

    /** Deletes the key; false when there was nothing to delete. */
    public boolean delete(String key) {
        return await(true, () -> client.getKVClient().delete(bytes(key))).getDeleted() > 0;
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
        return await(true, () -> client.getKVClient().txn().If(compares).Then(write).commit()).isSucceeded();
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
     * Sends every write (put, delete, transaction) with a gRPC deadline. A member without a leader
     * holds a write until etcd's own request timeout (5 s plus two election timeouts), and applies
     * it if a leader is elected meanwhile: without a deadline, a write whose caller had given up
     * (and been told it failed) could still apply seconds later. With it, etcd drops the write
     * when the caller stops waiting, unless it had already reached a leader's log.
     */
    private static final class WriteDeadlines implements ClientInterceptor {
        private static final java.util.Set<String> WRITES = java.util.Set.of(KVGrpc.getPutMethod().getFullMethodName(),
                KVGrpc.getDeleteRangeMethod().getFullMethodName(), KVGrpc.getTxnMethod().getFullMethodName());
        private final long millis;

        WriteDeadlines(long millis) {
            this.millis = millis;
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return next.newCall(method, WRITES.contains(method.getFullMethodName()) && options.getDeadline() == null
                    ? options.withDeadlineAfter(millis, TimeUnit.MILLISECONDS) : options);
        }
    }

    /**
     * Watches every key under the prefix from {@code fromRevision}. {@code onError} hears of a
     * compaction past that revision, a watch etcd ended or a lost connection; the caller is then
     * to close the watch and list again. The watch requires a leader: a member that loses its
     * leader (cut off from a quorum) ends it within a few election timeouts, rather than keeping
     * a watch that silently receives nothing.
     */
    public Watch.Watcher watch(long fromRevision, Consumer<List<Change>> onChanges, Consumer<Throwable> onError) {
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).withRequireLeader(true).build();
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

    /**
     * Makes a call and waits for its answer, within the timeout or the caller's bound. A caller
     * with a bound ({@link #boundCalls}) is answered at once, without asking etcd, when a call
     * needing a quorum cannot be served: the probes have found no member knowing a leader for
     * longer than an election takes.
     */
    private <T> T await(boolean needsQuorum, java.util.function.Supplier<CompletableFuture<T>> ask) {
        Long bound = callBound.get();
        if (bound != null && needsQuorum) {
            String lost = quorumLostFor();
            if (lost != null) {
                throw new EtcdException(true, false, lost);
            }
        }
        long millis = bound == null ? timeoutMillis : Math.min(bound, timeoutMillis);
        CompletableFuture<T> call = ask.get();
        try {
            T result = call.get(millis, TimeUnit.MILLISECONDS);
            answeredSinceReconnect = true;
            return result;
        } catch (TimeoutException e) {
            call.cancel(true);
            connectionLost = true;
            throw new EtcdException(true, true, "etcd is unavailable: " + explained("no answer within " + millis + " ms"));
        } catch (ExecutionException e) {
            Throwable failure = e.getCause() == null ? e : e.getCause();
            noteFailure(failure);
            throw failed(failure, millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdException(true, true, "etcd is unavailable: interrupted");
        }
    }

    /**
     * Why a call got no answer in time, as the members' statuses tell: none answers, none knows a
     * leader (no quorum: etcd holds a call until its own request timeout), or the cluster is only
     * slow.
     */
    private String explained(String what) {
        Quorum quorum = probe();
        String why = quorum.answering() == 0 ? "no member reachable" : !quorum.leader() ? "no quorum" : "slow";
        return why + " (" + what + "; " + quorum.detail() + ")";
    }

    /** Remembers a failure that a lost connection explains, for {@link #reconnectIfLost}. */
    private void noteFailure(Throwable failure) {
        Status.Code code = code(failure);
        if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
            connectionLost = true;
        }
    }

    /**
     * A failed call as an {@link EtcdException}: unavailable when etcd could not serve it (no
     * member reachable, no quorum, a leader being elected, no answer in time, overloaded), else a
     * refusal (permission denied, a request too large, ...) that trying again would not change.
     * Whether a write that failed may still apply: not when it never left (no connection) or etcd
     * said why it failed; when it went unanswered, or the connection broke while it was out.
     */
    private EtcdException failed(Throwable failure, long millis) {
        Status.Code code = code(failure);
        String said = describe(failure);
        String etcd = failure instanceof io.etcd.jetcd.common.exception.EtcdException ? String.valueOf(failure.getMessage())
                : String.valueOf(Status.fromThrowable(failure).getDescription());
        boolean fromEtcd = etcd.startsWith("etcdserver: ");
        if (code == Status.Code.UNKNOWN && etcd.contains("context deadline exceeded")) {
            // a member's own request timeout (it has no leader to answer), which gRPC carries as UNKNOWN
            code = Status.Code.DEADLINE_EXCEEDED;
        }
        return switch (code) {
            case DEADLINE_EXCEEDED -> new EtcdException(true, true, "etcd is unavailable: " + explained("no answer in time"));
            case UNAVAILABLE, RESOURCE_EXHAUSTED, CANCELLED, ABORTED -> fromEtcd
                    ? new EtcdException(true, false, "etcd is unavailable: "
                            + (NO_QUORUM.stream().anyMatch(etcd::contains) ? "no quorum (" + said + ")" : said))
                    : new EtcdException(true, !(rootCause(failure) instanceof java.net.ConnectException),
                            "etcd is unavailable: " + (tlsFailure(failure) ? "TLS with etcd failed" : "no member reachable")
                                    + " (" + said + ")");
            // gRPC's word for a connection that closed under a call in flight (a member stopping):
            // no refusal, and the write may have been logged before it went
            case UNKNOWN -> !fromEtcd && (etcd.contains("channel closed") || rootCause(failure) instanceof java.io.IOException)
                    ? new EtcdException(true, true, "etcd is unavailable: the connection closed while the call was out (" + said + ")")
                    : new EtcdException(false, false, "etcd refused the request: " + said);
            default -> new EtcdException(false, false, "etcd refused the request: " + said);
        };
    }

    /** What etcd answers a call it cannot serve because its member has no leader. */
    private static final List<String> NO_QUORUM = List.of("no leader", "request timed out", "leader changed",
            "raft proposal dropped");

    /** The gRPC status code of a failure, whether gRPC's own or jetcd's exception carries it. */
    private static Status.Code code(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.etcd.jetcd.common.exception.EtcdException jetcd) {
                try {
                    return Status.Code.valueOf(jetcd.getErrorCode().name());
                } catch (IllegalArgumentException e) {
                    return Status.Code.UNKNOWN;
                }
            }
            if (t instanceof io.grpc.StatusRuntimeException || t instanceof io.grpc.StatusException) {
                return Status.fromThrowable(t).getCode();
            }
        }
        return Status.fromThrowable(failure).getCode();
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
        retiring.forEach(Client::close);
        retiring.clear();
    }

    /** etcd could not be reached or refused the call. */
    public static final class EtcdException extends RuntimeException {
        private final boolean unavailable;
        private final boolean outcomeUnknown;

        public EtcdException(String message) {
            this(true, false, message);
        }

        public EtcdException(boolean unavailable, boolean outcomeUnknown, String message) {
            super(message);
            this.unavailable = unavailable;
            this.outcomeUnknown = outcomeUnknown;
        }

        /**
         * Whether etcd could not serve the call at all: no member reachable, no quorum (no leader),
         * no answer in time. False: etcd answered and refused (permission denied, ...).
         */
        public boolean unavailable() {
            return unavailable;
        }

        /**
         * Whether a write that failed so may still apply: it went unanswered, or the connection
         * broke while it was out. A leader that had appended it to its log before going away can
         * have it committed by the next one. False when it never reached etcd, or etcd refused it.
         */
        public boolean outcomeUnknown() {
            return outcomeUnknown;
        }
    }
}
