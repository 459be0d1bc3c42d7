package io.tidegate.upstream;

import io.tidegate.config.KeepalivePool;
import io.tidegate.config.UpstreamTls;
import io.tidegate.tls.ClientTls;
import io.undertow.client.UndertowClient;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.handlers.proxy.ConnectionPoolManager;
import io.undertow.server.handlers.proxy.ProxyConnectionPool;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.ssl.XnioSsl;

/**
 * Keep-alive connection pools to upstream nodes, one per node address and connection settings,
 * shared by every snapshot so that a configuration change does not drop warm connections. Each
 * pool keeps its idle connections per IO thread, so a request always reuses a connection owned by
 * its own thread.
 */
public final class ConnectionPools implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPools.class);
    /** Active connections per IO thread and node; nginx does not cap these, so the cap is only a safety net. */
    private static final int MAX_ACTIVE_PER_THREAD = 4096;

    private final int ioThreads;
    private final String trustedCas;
    private final Map<Key, Pool> pools = new ConcurrentHashMap<>();

    /** @param trustedCas PEM bundle verified upstream TLS trusts, or null for the JVM's trust store */
    public ConnectionPools(int ioThreads, String trustedCas) {
        this.ioThreads = ioThreads;
        this.trustedCas = trustedCas;
    }

    /**
     * Identifies one pool: where it connects and how.
     *
     * @param tlsName the TLS server name (SNI, and the name verified) for https; null for http
     */
    public record Key(String scheme, String address, int port, KeepalivePool settings, UpstreamTls tls, String tlsName) {}

    /** A pool and the request budget of its connections. */
    record Pool(ProxyConnectionPool connections, KeepaliveLimit keepaliveLimit) {}

    Pool pool(Key key) {
        return pools.computeIfAbsent(key, this::create);
    }

    private Pool create(Key key) {
        String host = key.address().indexOf(':') >= 0 ? "[" + key.address() + "]" : key.address();
        URI uri = URI.create(key.scheme() + "://" + host + ":" + key.port());
        int idlePerThread = Math.max(1, (key.settings().size() + ioThreads - 1) / ioThreads);
        PoolSettings settings = new PoolSettings(idlePerThread, (long) (key.settings().idleTimeout() * 1000));
        OptionMap.Builder options = OptionMap.builder().set(Options.TCP_NODELAY, true).set(Options.KEEP_ALIVE, true);
        XnioSsl ssl = null;
        if ("https".equals(key.scheme())) {
            if (key.tlsName() != null) {
                // we connect to a resolved IP; SNI and verification use the name
                options.set(Options.SSL_PEER_HOST_NAME, key.tlsName());
            }
            ssl = new UndertowXnioSsl(Xnio.getInstance(), OptionMap.EMPTY,
                    ClientTls.context(key.tls().verify(), trustedCas, key.tls().clientCert(), key.tls().clientKey()));
        }
        ProxyConnectionPool connections = new ProxyConnectionPool(settings, null, uri, ssl, UndertowClient.getInstance(), options.getMap());
        return new Pool(connections, new KeepaliveLimit(key.settings().requests()));
    }

    /** Closes pools no snapshot uses any more; called after a new snapshot is swapped in. */
    public void retainOnly(Set<Key> inUse) {
        pools.entrySet().removeIf(entry -> {
            if (inUse.contains(entry.getKey())) {
                return false;
            }
            log.debug("closing connection pool to {}", entry.getValue().connections().getUri());
            IoUtils.safeClose(entry.getValue().connections());
            return true;
        });
    }

    @Override
    public void close() {
        pools.values().forEach(pool -> IoUtils.safeClose(pool.connections()));
        pools.clear();
    }

    /**
     * Pool limits. Errors never mark a node unavailable here: without health checks APISIX keeps
     * sending to every node, and a refused connection is retried on the next node instead.
     */
    private record PoolSettings(int idlePerThread, long idleMillis) implements ConnectionPoolManager {
        @Override public int getProblemServerRetry() { return -1; }
        @Override public int getMaxConnections() { return MAX_ACTIVE_PER_THREAD; }
        @Override public int getMaxCachedConnections() { return idlePerThread; }
        @Override public int getSMaxConnections() { return 0; }
        @Override public long getTtl() { return idleMillis; }
        @Override public int getMaxQueueSize() { return 0; }
        @Override public boolean isAvailable() { return true; }
        @Override public boolean handleError() { return true; }
        @Override public boolean clearError() { return true; }
    }
}
