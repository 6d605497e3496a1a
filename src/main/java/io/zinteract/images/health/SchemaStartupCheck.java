package io.zinteract.images.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;
import io.zinteract.images.db.DatabaseBootstrap;

/** Started once the schema is at the newest migration this build carries; an orchestrator waits for it. */
@Startup
@ApplicationScoped
public class SchemaStartupCheck implements HealthCheck {

    private final DatabaseBootstrap database;

    public SchemaStartupCheck(DatabaseBootstrap database) {
        this.database = database;
    }

    @Override
    public HealthCheckResponse call() {
        var info = database.flyway().info();
        var current = info.current();
        boolean upToDate = info.pending().length == 0 && current != null;
        return HealthCheckResponse.named("schema").status(upToDate)
                .withData("version", current == null ? "none" : current.getVersion().getVersion())
                .withData("pending", info.pending().length)
                .build();
    }
}
