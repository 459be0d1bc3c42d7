package io.tidegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Loopback ports for tests: one nothing listens on, for refused connects or a process to bind. */
public final class FreePort {
    private FreePort() {}

    /** A loopback port with nothing listening right now: connects to it are refused at once. */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
