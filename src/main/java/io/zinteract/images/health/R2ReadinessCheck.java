package io.zinteract.images.health;

import io.zinteract.images.storage.R2Storage;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.ServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/**
 * Ready only when the bucket answers a one-key listing within a short time-out, so a slow or dead R2 turns the
 * probe DOWN quickly instead of hanging it. Without R2 configured and with R2 storage off, the service only needs
 * its database, and the check says so while staying UP.
 */
@Readiness
@ApplicationScoped
public class R2ReadinessCheck implements AsyncHealthCheck {

    private final R2Storage storage;
    private final ServiceConfig config;
    private final Duration timeout;

    public R2ReadinessCheck(R2Storage storage, ServiceConfig config) {
        this.storage = storage;
        this.config = config;
        this.timeout = config.health().r2Timeout();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("r2")
                .withData("bucket", storage.bucket())
                .withData("endpoint", storage.endpoint().orElse("none"))
                .withData("enableR2Storage", config.enableR2Storage());
        if (!storage.configured()) {
            return Uni.createFrom().item(builder.withData("configured", false).up().build());
        }
        long start = System.nanoTime();
        return storage.ping(timeout)
                .map(ok -> builder.withData("latencyMs", (System.nanoTime() - start) / 1_000_000).up().build())
                .onFailure().recoverWithItem(e -> builder.withData("latencyMs", (System.nanoTime() - start) / 1_000_000)
                        .withData("error", String.valueOf(e.getMessage())).down().build());
    }
}
