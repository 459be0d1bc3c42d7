package io.tidegate.proxy.pool;

import java.io.IOException;

/** Hears how a request for a connection ended; called on the IO thread that asked. */
public interface ConnectionCallback {
    void connected(UpstreamConnection connection);

    /** The node refused or could not be reached. */
    void failed(IOException cause);
}
