package io.zinteract.images.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive means this process can still answer: it depends on nothing outside, so an R2 or database outage never gets
 * the pod restarted (readiness takes it out of rotation instead).
 */
@Liveness
@ApplicationScoped
public class ProcessLivenessCheck implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        Runtime runtime = Runtime.getRuntime();
        return HealthCheckResponse.named("process").up()
                .withData("heapUsedBytes", runtime.totalMemory() - runtime.freeMemory())
                .withData("heapMaxBytes", runtime.maxMemory())
                .build();
    }
}
