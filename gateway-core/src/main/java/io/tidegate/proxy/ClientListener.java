package io.tidegate.proxy;

import io.tidegate.config.ListenerSettings;
import io.tidegate.tls.CertificateTable;
import io.tidegate.tls.SniKeyManager;
import java.util.concurrent.atomic.AtomicInteger;
import java.net.InetSocketAddress;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/**
 * One bound client-facing listener. What it does with a connection (HTTP/1.1 only or HTTP/2 too)
 * and the certificate it presents when no {@code ssls} entry matches can change while it stays
 * bound; whether it speaks TLS cannot (that is a different kind of socket server).
 */
final class ClientListener implements SniKeyManager.OwnCertificate {
    private final Switch protocols;
    private volatile AcceptingChannel<?> channel;
    private volatile ListenerSettings settings;
    private final AtomicInteger rotations = new AtomicInteger();
    private volatile CertificateTable.Entry ownCertificate;
    private volatile CertificateTable.Entry previousCertificate;

    ClientListener(ListenerSettings settings, ChannelListener<StreamConnection> open) {
        this.settings = settings;
        this.protocols = new Switch(open);
        this.ownCertificate = settings.tls() == null ? null : own(settings);
    }

    /** Where connections go: give it to the socket server. */
    ChannelListener<StreamConnection> protocols() {
        return protocols;
    }

    void bound(AcceptingChannel<?> channel) {
        this.channel = channel;
    }

    private CertificateTable.Entry own(ListenerSettings settings) {
        return CertificateTable.Entry.of("listener:" + settings.address() + "#" + rotations.incrementAndGet(),
                settings.tls().certPem(), settings.tls().keyPem());
    }

    ListenerSettings settings() {
        return settings;
    }

    @Override
    public CertificateTable.Entry current() {
        return ownCertificate;
    }

    @Override
    public CertificateTable.Entry byAlias(String alias) {
        CertificateTable.Entry now = ownCertificate;
        if (now != null && now.alias().equals(alias)) {
            return now;
        }
        CertificateTable.Entry before = previousCertificate;
        return before != null && before.alias().equals(alias) ? before : null;
    }

    /** Whether {@code next} can be applied to this bound socket: same address, and TLS both or neither. */
    boolean canBecome(ListenerSettings next) {
        return next.host().equals(settings.host()) && next.port() == settings.port() && (next.tls() == null) == (settings.tls() == null);
    }

    /** Applies {@code next} (see {@link #canBecome}); {@code open} is what connections go to now. */
    void become(ListenerSettings next, ChannelListener<StreamConnection> open) {
        if (next.tls() != null && !next.tls().equals(settings.tls())) {
            previousCertificate = ownCertificate;
            ownCertificate = own(next);
        }
        if (next.offerH2() != settings.offerH2()) {
            protocols.to(open);
        }
        settings = next;
    }

    InetSocketAddress boundAddress() {
        return channel.getLocalAddress(InetSocketAddress.class);
    }

    void close() {
        if (channel != null) {
            IoUtils.safeClose(channel);
        }
    }

    /** The open listener connections go to, replaceable while the socket stays bound. */
    static final class Switch implements ChannelListener<StreamConnection> {
        private volatile ChannelListener<StreamConnection> next;

        Switch(ChannelListener<StreamConnection> next) {
            this.next = next;
        }

        void to(ChannelListener<StreamConnection> open) {
            this.next = open;
        }

        @Override
        public void handleEvent(StreamConnection connection) {
            next.handleEvent(connection);
        }
    }
}
