package io.zinteract.images.db;

import io.quarkus.runtime.StartupEvent;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.config.StartupValidator;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import io.quarkus.arc.Arc;
import io.quarkus.flyway.FlywayDataSource;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import java.io.IOException;
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
    /** Advisory lock id for schema changes ("r2is" in ASCII). */
    private static final long SCHEMA_LOCK = 0x72326973L;

    private final StartupValidator validator;
    private final ServiceConfig config;
    private final Jdbc jdbc;

    public DatabaseBootstrap(StartupValidator validator, ServiceConfig config, Jdbc jdbc) {
        this.validator = validator;
        this.config = config;
        this.jdbc = jdbc;
    }

    void onStart(@Observes @Priority(1) StartupEvent event) {
        validator.validate();
        if (!jdbc.postgresql()) {
            Path file = Path.of(config.sqlitePath());
            SqliteFileCheck.check(file);
            createParentFolder(file);
        }
        Flyway flyway = flyway();
        var result = jdbc.postgresql() ? migrateAlone(flyway) : flyway.migrate();
        // The version from the migration's own result: flyway.info() would scan the migrations and read the history again.
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        LOG.infof("Database %s: schema at version %s (%d migration(s) applied)", jdbc.postgresql() ? "PostgreSQL" : "SQLite",
                version == null ? "none" : version, result.migrationsExecuted);
    }

    /**
     * Replicas that start together on an empty PostgreSQL database would otherwise race to create Flyway's history
     * table (the loser fails with "unable to baseline ... already exists"); a session advisory lock makes them take
     * turns, and the later ones find the schema up to date.
     */
    private org.flywaydb.core.api.output.MigrateResult migrateAlone(Flyway flyway) {
        return jdbc.withConnection(c -> {
            try (var lock = c.createStatement()) {
                lock.execute("SELECT pg_advisory_lock(" + SCHEMA_LOCK + ")");
            }
            try {
                return flyway.migrate();
            } finally {
                try (var unlock = c.createStatement()) {
                    unlock.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK + ")");
                }
            }
        });
    }

    /** The Flyway of whichever datasource is active. */
    public Flyway flyway() {
        return jdbc.postgresql()
                ? Arc.container().select(Flyway.class, FlywayDataSource.FlywayDataSourceLiteral.of(DatabaseUrlConfigSource.POSTGRESQL)).get()
                : Arc.container().select(Flyway.class).get();
    }

    private static void createParentFolder(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new StartupValidator.InvalidConfigurationException("SQLITE_PATH: cannot create the folder " + parent);
        }
    }
}
