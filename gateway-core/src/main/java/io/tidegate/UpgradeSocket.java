package io.tidegate;

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
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tidegate.upgrade_sock}: the Unix socket on which a gateway started with {@code --upgrade}
 * asks the running one for its ports. The conversation is one line each way: {@code HANDOVER <pid>}
 * from the newer gateway, which has bound the same ports already (SO_REUSEPORT) and is serving;
 * {@code OK <pid>} from the running one once it has closed its listening sockets and this socket,
 * after which it finishes its requests in flight and exits. The newer gateway then listens here.
 */
final class UpgradeSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpgradeSocket.class);
    /** Long enough for a loaded machine to close a few sockets; a hand-over that takes longer failed. */
    private static final int ANSWER_MILLIS = 10_000;

    private final Path path;
    private final ServerSocketChannel server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UpgradeSocket(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
    }

    /**
     * Listens at {@code path}; {@code handOver} runs (once) when a newer gateway asks, and must
     * return once this process accepts no more connections.
     *
     * @throws IllegalStateException when a gateway answers at {@code path} already (it would be
     *                               sharing its ports with this one unknowingly)
     */
    static UpgradeSocket listen(Path path, Runnable handOver) {
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
            Thread thread = new Thread(() -> socket.serve(handOver), "tidegate-upgrade-sock");
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
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
    }

    private void serve(Runnable handOver) {
        while (!closed.get()) {
            try (SocketChannel peer = server.accept()) {
                String request = readLine(peer);
                if (request.startsWith("HANDOVER ")) {
                    log.info("gateway {} started with --upgrade asks for the ports: handing them over", request.substring(9).trim());
                    handOver.run();
                    close();
                    write(peer, "OK " + ProcessHandle.current().pid());
                    return;
                }
                write(peer, "TIDEGATE " + ProcessHandle.current().pid());
            } catch (IOException e) {
                if (!closed.get()) {
                    log.warn("upgrade_sock {}: {}", path, e.toString());
                }
            }
        }
    }

    /**
     * Asks the gateway listening at {@code path} to hand its ports over; returns its process id
     * once it has stopped accepting, or empty when no gateway listens there.
     *
     * @throws IllegalStateException when one listens but does not hand over
     */
    static OptionalLong requestHandOver(Path path) {
        if (!Files.exists(path)) {
            return OptionalLong.empty();
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            return OptionalLong.empty();  // a file without a listener: left by a gateway that is gone
        }
        try (channel) {
            write(channel, "HANDOVER " + ProcessHandle.current().pid());
            String answer = readLine(channel);
            if (!answer.startsWith("OK ")) {
                throw new IllegalStateException("the gateway at upgrade_sock " + path + " did not hand over (it said: " + answer + ")");
            }
            return OptionalLong.of(Long.parseLong(answer.substring(3).trim()));
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("the gateway at upgrade_sock " + path + " did not hand over: " + e.getMessage(), e);
        }
    }

    /**
     * Throws when a gateway answers at {@code path}: its ports are shared, so a second gateway would
     * bind them too and both would serve, unknowingly.
     */
    static void refuseIfAnswering(Path path) {
        if (answers(path)) {
            throw new IllegalStateException("a gateway is running with upgrade_sock " + path
                    + "; to replace it without dropping connections, start this one with --upgrade");
        }
    }

    private static boolean answers(Path path) {
        if (!Files.exists(path)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            write(channel, "HELLO");
            return readLine(channel).startsWith("TIDEGATE ");
        } catch (IOException e) {
            return false;
        }
    }

    private static void write(SocketChannel channel, String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** One line of at most 200 bytes, waiting at most {@link #ANSWER_MILLIS} for it. */
    private static String readLine(SocketChannel channel) throws IOException {
        // Unix channels have no read timeout: a watchdog closes the channel at the deadline
        AtomicBoolean done = new AtomicBoolean();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(ANSWER_MILLIS);
                if (!done.get()) {
                    channel.close();
                }
            } catch (InterruptedException | IOException ignored) {
                // done in time, or closing failed: the read ends either way
            }
        }, "tidegate-upgrade-sock-deadline");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            ByteBuffer buffer = ByteBuffer.allocate(200);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    break;
                }
                if (buffer.position() > 0 && buffer.get(buffer.position() - 1) == '\n') {
                    break;
                }
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
        } finally {
            done.set(true);
            watchdog.interrupt();
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
