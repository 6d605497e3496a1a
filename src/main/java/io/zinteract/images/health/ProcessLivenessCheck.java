package io.zinteract.images.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive means this process can still answer: it depends on nothing outside, so an R2 or database outage never gets
 * the pod restarted (readiness takes it out of rotation instead). Asynchronous on purpose: a synchronous check runs
 * on the worker pool, which a burst of uploads or base64 reads fills, and the probe then timed out on a healthy
 * process; this one answers on the event loop without waiting for any pool.
 */
@Liveness
@ApplicationScoped
public class ProcessLivenessCheck implements AsyncHealthCheck {

    @Override
    public Uni<HealthCheckResponse> call() {
        Runtime runtime = Runtime.getRuntime();
        return Uni.createFrom().item(HealthCheckResponse.named("process").up()
                .withData("heapUsedBytes", runtime.totalMemory() - runtime.freeMemory())
                .withData("heapMaxBytes", runtime.maxMemory())
                .build());
    }
}
