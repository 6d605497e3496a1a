package io.zinteract.images.storage.client;

import io.quarkus.runtime.StartupEvent;
import io.zinteract.images.storage.R2Config;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Builds the S3 client (which loads the aws-crt native library and the SDK's request path) on a thread of its own
 * while the start thread validates the settings and migrates the schema, instead of after them, so that a second core
 * overlaps the two on the way to the first ready probe. The start still waits for the client
 * before Quarkus opens its HTTP port, so no request ever waits on the event loop for the client to be built, and a
 * client that cannot be built fails the start as before.
 *
 * <p>The warm-up also sends one listing of at most one key, the request the readiness probe sends, so the probe's first
 * call finds the signer, the endpoint rules and a connection ready. The start waits for that answer only briefly
 * ({@value #LIST_WAIT_MILLIS} ms): a slow or absent store shows in the readiness probe, never as a start that hangs.
 */
@ApplicationScoped
class ClientWarmUp {

    /** How long the start waits for the warm-up listing's answer; past it the start goes on and the answer is ignored. */
    private static final long LIST_WAIT_MILLIS = 2_000;
    /** Generous: building the client takes well under a second; only a wedged native load would come near it. */
    private static final long BUILD_WAIT_SECONDS = 60;

    private final S3AsyncClient client;
    private final R2Config config;
    private final CompletableFuture<Void> built = new CompletableFuture<>();
    private final CompletableFuture<Void> listed = new CompletableFuture<>();

    ClientWarmUp(S3AsyncClient client, R2Config config) {
        this.client = client;
        this.config = config;
    }

    /**
     * First of the start-up observers. Settings are validated at priority 1 on the start thread; if they are invalid the
     * process exits with that one line, and this daemon thread, which logs nothing, ends with it.
     */
    void begin(@Observes @Priority(0) StartupEvent event) {
        if (!config.configured()) {
            built.complete(null);
            listed.complete(null);
            return;
        }
        Thread thread = new Thread(this::warmUp, "r2-client-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /** Last of the start-up observers: the HTTP port opens only after this returns. */
    void await(@Observes @Priority(10_000) StartupEvent event) throws InterruptedException, TimeoutException {
        try {
            built.get(BUILD_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // The same failure the start had when the client was built on the start thread.
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        try {
            listed.get(LIST_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // The readiness probe reports the store's state; the warm-up only saved it the first call's set-up.
        }
    }

    private void warmUp() {
        try {
            client.serviceName();
            built.complete(null);
        } catch (Throwable e) {
            built.completeExceptionally(e);
            listed.complete(null);
            return;
        }
        try {
            client.listObjectsV2(b -> b.bucket(config.bucket()).maxKeys(1))
                    .whenComplete((answer, failure) -> listed.complete(null));
        } catch (RuntimeException e) {
            listed.complete(null);
        }
    }
}
