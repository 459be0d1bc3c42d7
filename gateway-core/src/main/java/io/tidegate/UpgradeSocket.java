package io.tidegate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tidegate.upgrade_sock}: the Unix socket on which a gateway started with {@code --upgrade}
 * asks the running one for its ports. One conversation, a line at a time:
 * <ol>
 * <li>{@code PREPARE <pid>} from the newer gateway; the running one freezes what it must hand over
 *     and answers {@code STATE <pid> <length>} followed by that many bytes: the API-driven
 *     configuration, or none ({@code -1}) when etcd or the file keeps the configuration.</li>
 * <li>The newer gateway starts on it and binds the same ports (SO_REUSEPORT), then sends
 *     {@code HANDOVER}; the running one closes its listening sockets and this socket, answers
 *     {@code OK}, finishes its requests in flight and exits. The newer gateway then listens here.</li>
 * </ol>
 * A conversation that ends before {@code HANDOVER} (the newer gateway failed to start) leaves the
 * running gateway as it was.
 */
final class UpgradeSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpgradeSocket.class);
    /** How long either side waits for the other's next line: the newer gateway's start happens in between. */
    private static final int ANSWER_MILLIS = 120_000;
    /** As much as an API-driven configuration may hold (the Admin API's body limit). */
    private static final int MAX_STATE_BYTES = 64 << 20;

    /** The running gateway's side of a hand-over. */
    interface Running {
        /** Freezes what must not change any more; the configuration the newer gateway is to start from, or null. */
        String prepare();

        /** The newer gateway backed out: carry on as before. */
        void cancel();

        /** Stops accepting connections; returns once no listening socket is left. */
        void handOver();

        /** After the answer: finish the requests in flight and exit. */
        void finish();
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UpgradeSocket(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
    }

    /**
     * Listens at {@code path} for a newer gateway.
     *
     * @throws IllegalStateException when a gateway answers at {@code path} already
     */
    static UpgradeSocket listen(Path path, Running running) {
        refuseIfAnswering(path);
        try {
            Files.deleteIfExists(path);  // left by a gateway that did not exit cleanly: nobody answered on it
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            restrictToOwner(path);
            UpgradeSocket socket = new UpgradeSocket(path, server);
            Thread thread = new Thread(() -> socket.serve(running), "tidegate-upgrade-sock");
            thread.setDaemon(true);
            thread.start();
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on upgrade_sock " + path + ": " + e.getMessage(), e);
        }
    }

    /** Whoever can talk to the socket can stop this gateway: only its own user may. */
    private static void restrictToOwner(Path path) throws IOException {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        }
    }

    private void serve(Running running) {
        while (!closed.get()) {
            try (SocketChannel peer = server.accept()) {
                String request = readLine(peer);
                if (!request.startsWith("PREPARE ")) {
                    write(peer, "TIDEGATE " + ProcessHandle.current().pid());
                    continue;
                }
                if (converse(peer, request.substring(8).trim(), running)) {
                    return;
                }
            } catch (IOException e) {
                if (!closed.get()) {
                    log.warn("upgrade_sock {}: {}", path, e.toString());
                }
            }
        }
    }

    /** One hand-over conversation; true when the ports were handed over. */
    private boolean converse(SocketChannel peer, String newer, Running running) throws IOException {
        log.info("gateway {} started with --upgrade is preparing to take the ports over", newer);
        String configuration = running.prepare();
        boolean handedOver = false;
        try {
            byte[] state = configuration == null ? new byte[0] : configuration.getBytes(StandardCharsets.UTF_8);
            write(peer, "STATE " + ProcessHandle.current().pid() + " " + (configuration == null ? -1 : state.length));
            writeBytes(peer, state);
            String next = readLine(peer);
            if (!next.equals("HANDOVER")) {
                log.warn("gateway {} did not take the ports over ({}); this gateway carries on", newer,
                        next.isEmpty() ? "it went away" : "it said: " + next);
                return false;
            }
            running.handOver();
            handedOver = true;
            close();
            write(peer, "OK " + ProcessHandle.current().pid());
        } finally {
            if (!handedOver) {
                running.cancel();
            }
        }
        log.info("handed the ports over to gateway {}", newer);
        running.finish();
        return true;
    }

    /**
     * Throws when a gateway answers at {@code path}: its ports are shared, so a second gateway would
     * bind them too and both would serve, unknowingly.
     */
    static void refuseIfAnswering(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            write(channel, "HELLO");
            if (readLine(channel).startsWith("TIDEGATE ")) {
                throw new IllegalStateException("a gateway is running with upgrade_sock " + path
                        + "; to replace it without dropping connections, start this one with --upgrade");
            }
        } catch (IOException e) {
            // nobody listens: a file left by a gateway that is gone
        }
    }

    /**
     * The newer gateway's side: connects to the gateway listening at {@code path} and asks it to
     * prepare; empty when no gateway listens there.
     *
     * @throws IllegalStateException when one listens but does not answer as a gateway
     */
    static Optional<Successor> prepare(Path path) {
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            return Optional.empty();  // a file without a listener: left by a gateway that is gone
        }
        try {
            write(channel, "PREPARE " + ProcessHandle.current().pid());
            String[] answer = readLine(channel).split(" ");
            if (answer.length != 3 || !answer[0].equals("STATE")) {
                throw new IOException("it answered " + String.join(" ", answer));
            }
            int length = Integer.parseInt(answer[2]);
            if (length > MAX_STATE_BYTES) {
                throw new IOException("its configuration is " + length + " bytes, more than " + MAX_STATE_BYTES);
            }
            String configuration = length < 0 ? null : new String(readBytes(channel, length), StandardCharsets.UTF_8);
            return Optional.of(new Successor(path, channel, Long.parseLong(answer[1]), configuration));
        } catch (IOException | NumberFormatException e) {
            closeQuietly(channel);
            throw new IllegalStateException("the gateway at upgrade_sock " + path + " did not prepare the hand-over: " + e.getMessage(), e);
        }
    }

    /** A newer gateway's open conversation with the one it replaces. Closing it before {@link #takeOver} backs out. */
    static final class Successor implements AutoCloseable {
        private final Path path;
        private final SocketChannel channel;
        private final long previousPid;
        private final String configuration;

        private Successor(Path path, SocketChannel channel, long previousPid, String configuration) {
            this.path = path;
            this.channel = channel;
            this.previousPid = previousPid;
            this.configuration = configuration;
        }

        long previousPid() {
            return previousPid;
        }

        /** The API-driven configuration the running gateway holds, or null when etcd or the file keeps it. */
        String configuration() {
            return configuration;
        }

        /** Asks for the ports; returns once the running gateway no longer accepts connections. */
        void takeOver() {
            try (channel) {
                write(channel, "HANDOVER");
                String answer = readLine(channel);
                if (!answer.startsWith("OK ")) {
                    throw new IOException(answer.isEmpty() ? "it closed the conversation" : "it answered " + answer);
                }
            } catch (IOException e) {
                throw new IllegalStateException("the gateway at upgrade_sock " + path + " did not hand over: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            closeQuietly(channel);
        }
    }

    private static void write(SocketChannel channel, String line) throws IOException {
        writeBytes(channel, (line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** One line of at most 200 bytes (without its end), read a byte at a time so nothing after it is taken. */
    private static String readLine(SocketChannel channel) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        try (Deadline ignored = new Deadline(channel)) {
            while (line.size() < 200) {
                one.clear();
                if (channel.read(one) < 0) {
                    break;
                }
                if (one.get(0) == '\n') {
                    break;
                }
                line.write(one.get(0));
            }
        }
        return line.toString(StandardCharsets.UTF_8).trim();
    }

    private static byte[] readBytes(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try (Deadline ignored = new Deadline(channel)) {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new IOException("the configuration ended after " + buffer.position() + " of " + length + " bytes");
                }
            }
        }
        return buffer.array();
    }

    /** Unix channels have no read timeout: this closes the channel when a read takes longer than {@link #ANSWER_MILLIS}. */
    private static final class Deadline implements AutoCloseable {
        private final Thread watchdog;

        Deadline(SocketChannel channel) {
            watchdog = new Thread(() -> {
                try {
                    Thread.sleep(ANSWER_MILLIS);
                    channel.close();
                } catch (InterruptedException | IOException e) {
                    // done in time (interrupted), or closing failed: the read ends either way
                }
            }, "tidegate-upgrade-sock-deadline");
            watchdog.setDaemon(true);
            watchdog.start();
        }

        @Override
        public void close() {
            watchdog.interrupt();
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a Unix socket: nothing to do about a failure
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.close();
                Files.deleteIfExists(path);
            } catch (IOException e) {
                log.warn("cannot remove upgrade_sock {}: {}", path, e.toString());
            }
        }
    }
}
