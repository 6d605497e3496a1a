package io.zinteract.images.db;

import io.quarkus.runtime.StartupEvent;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.config.StartupValidator;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Validates the settings, then brings the schema up to date before anything else touches the database. Flyway
 * runs here rather than at Quarkus start so that a bad setting is reported as one line naming the variable
 * before any connection is opened, and so that the SQLite file's folder exists first.
 */
@ApplicationScoped
public class DatabaseBootstrap {

    private static final Logger LOG = Logger.getLogger(DatabaseBootstrap.class);

    private final StartupValidator validator;
    private final Flyway flyway;
    private final ServiceConfig config;
    private final String dbKind;

    public DatabaseBootstrap(StartupValidator validator, Flyway flyway, ServiceConfig config,
            @ConfigProperty(name = "quarkus.datasource.db-kind") String dbKind) {
        this.validator = validator;
        this.flyway = flyway;
        this.config = config;
        this.dbKind = dbKind;
    }

    void onStart(@Observes @Priority(1) StartupEvent event) {
        validator.validate();
        if ("sqlite".equals(dbKind)) {
            createParentFolder(Path.of(config.sqlitePath()));
        }
        var result = flyway.migrate();
        LOG.infof("Database schema at version %s (%d migration(s) applied)",
                flyway.info().current() == null ? "none" : flyway.info().current().getVersion(),
                result.migrationsExecuted);
    }

    private static void createParentFolder(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException("SQLITE_PATH: cannot create folder " + parent, e);
        }
    }
}
