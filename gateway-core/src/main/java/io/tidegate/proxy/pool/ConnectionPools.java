package io.tidegate.proxy.pool;

import io.tidegate.upstream.NodeConnections;
import io.tidegate.upstream.NodeEndpoint;
import io.tidegate.tls.ClientTls;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.ssl.XnioSsl;

/**
 * Connections to upstream nodes, one {@link Pool} per node address and connection settings,
 * shared by every configuration version so that a change does not drop warm connections. Each
 * pool keeps its connections per IO thread, so a request always uses a connection its own thread
 * owns, and nothing on the request path is locked.
 */
public final class ConnectionPools implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPools.class);

    private final int ioThreads;
    private final String trustedCas;
    private final int maxConnectionsPerNode;
    private final Map<NodeEndpoint, NodeConnections> pools = new ConcurrentHashMap<>();

    /**
     * @param trustedCas            PEM bundle verified upstream TLS trusts, or null for the JVM's trust store
     * @param maxConnectionsPerNode connections this gateway may have open to one node at once
     */
    public ConnectionPools(int ioThreads, String trustedCas, int maxConnectionsPerNode) {
        this.ioThreads = ioThreads;
        this.trustedCas = trustedCas;
        this.maxConnectionsPerNode = maxConnectionsPerNode;
    }

    /** The node's pool: a {@link Pool} of HTTP/1.1 connections, or a {@link MultiplexedPool} for grpc and grpcs. */
    public NodeConnections pool(NodeEndpoint key) {
        return pools.computeIfAbsent(key, this::create);
    }

    private NodeConnections create(NodeEndpoint key) {
        OptionMap.Builder options = OptionMap.builder().set(Options.TCP_NODELAY, true).set(Options.KEEP_ALIVE, true);
        XnioSsl ssl = null;
        boolean h2 = key.scheme().startsWith("grpc");
        if ("https".equals(key.scheme()) || "grpcs".equals(key.scheme())) {
            if (key.tlsName() != null) {
                // we connect to a resolved IP; SNI and verification use the name
                options.set(Options.SSL_PEER_HOST_NAME, key.tlsName());
            }
            options.set(Options.SSL_PEER_PORT, key.port());
            ssl = new UndertowXnioSsl(Xnio.getInstance(), OptionMap.EMPTY,
                    ClientTls.context(key.tls().verify(), trustedCas, key.tls().clientCert(), key.tls().clientKey()));
        }
        int threads = Math.max(1, ioThreads);
        if (h2) {
            return multiplexed(key, ssl, options, threads);
        }
        Connector connector = new Connector(new InetSocketAddress(key.address(), key.port()), ssl, options.getMap());
        return new Pool(connector, threads, share(key.settings().size(), threads), share(maxConnectionsPerNode, threads),
                key.settings().requests(), Math.round(key.settings().idleTimeout() * 1000));
    }

    private MultiplexedPool multiplexed(NodeEndpoint key, XnioSsl ssl, OptionMap.Builder options, int threads) {
        String host = key.address().indexOf(':') >= 0 ? "[" + key.address() + "]" : key.address();
        String peer = host + ":" + key.port();
        Http2Connector connector = new Http2Connector(new InetSocketAddress(key.address(), key.port()), ssl, options.getMap(), peer);
        return new MultiplexedPool(connector, peer, threads, share(maxConnectionsPerNode, threads),
                Math.round(key.settings().idleTimeout() * 1000));
    }

    /** One thread's share of a limit, at least one. */
    private static int share(int total, int threads) {
        return Math.max(1, (total + threads - 1) / threads);
    }

    /** Closes pools no configuration version uses any more; called after a new version is swapped in. */
    public void retainOnly(Set<NodeEndpoint> inUse) {
        pools.entrySet().removeIf(entry -> {
            if (inUse.contains(entry.getKey())) {
                return false;
            }
            log.debug("closing connection pool to {}", entry.getValue().peer());
            close(entry.getValue());
            return true;
        });
    }

    @Override
    public void close() {
        pools.values().forEach(ConnectionPools::close);
        pools.clear();
    }

    private static void close(NodeConnections pool) {
        if (pool instanceof Pool http1) {
            http1.close();
        } else if (pool instanceof MultiplexedPool h2) {
            h2.close();
        }
    }

    /** The connections to one node, per IO thread. */
    public static final class Pool implements NodeConnections {
        private final Connector connector;
        private final AtomicReferenceArray<NodePool> perThread;
        private final int maxIdle;
        private final int maxOpen;
        private final int maxRequests;
        private final long idleMillis;

        Pool(Connector connector, int threads, int maxIdle, int maxOpen, int maxRequests, long idleMillis) {
            this.connector = connector;
            this.perThread = new AtomicReferenceArray<>(threads);
            this.maxIdle = maxIdle;
            this.maxOpen = maxOpen;
            this.maxRequests = maxRequests;
            this.idleMillis = idleMillis;
        }

        /**
         * Asks for a connection on {@code thread} (the caller's own IO thread). Returns a claim to
         * withdraw while it waits, or null when {@code callback} was already called.
         */
        public Claim acquire(XnioIoThread thread, ConnectionCallback callback) {
            return of(thread).acquire(callback);
        }

        @Override
        public String peer() {
            return connector.peer();
        }

        private NodePool of(XnioIoThread thread) {
            int index = Math.floorMod(thread.getNumber(), perThread.length());
            NodePool pool = perThread.get(index);
            if (pool == null || pool.thread() != thread) {
                // only this thread writes its slot
                pool = new NodePool(thread, connector, maxIdle, maxOpen, maxRequests, idleMillis);
                perThread.set(index, pool);
            }
            return pool;
        }

        /** Connections open to the node on all threads (idle ones included); read from other threads, so approximate. */
        public int openConnections() {
            int total = 0;
            for (int i = 0; i < perThread.length(); i++) {
                NodePool pool = perThread.get(i);
                total += pool == null ? 0 : pool.open();
            }
            return total;
        }

        void close() {
            for (int i = 0; i < perThread.length(); i++) {
                NodePool pool = perThread.get(i);
                if (pool != null) {
                    try {
                        pool.thread().execute(pool::close);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // the IO thread is gone, and its connections with it
                    }
                }
            }
        }
    }

    /** A request waiting for a connection; cancelling gives up its place. */
    @FunctionalInterface
    public interface Claim {
        void cancel();
    }
}
