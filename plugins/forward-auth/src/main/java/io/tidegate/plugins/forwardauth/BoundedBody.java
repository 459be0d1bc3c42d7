package io.tidegate.plugins.forwardauth;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An auth service's response body, dropped past a cap (the answer keeps its status and headers, its
 * body is then empty): a broken service cannot fill the gateway's memory, and a refusal stays a
 * refusal however large its error page.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    static final int MAX_BYTES = 1 << 20;

    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.Subscription subscription;
    private boolean overflowed;

    static HttpResponse.BodyHandler<byte[]> handler() {
        return info -> new BoundedBody();
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            if (overflowed || bytes.size() + buffer.remaining() > MAX_BYTES) {
                overflowed = true;
                buffer.position(buffer.limit());
                continue;
            }
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            bytes.write(chunk, 0, chunk.length);
        }
    }

    @Override
    public void onError(Throwable failure) {
        result.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
        result.complete(overflowed ? new byte[0] : bytes.toByteArray());
    }
}
