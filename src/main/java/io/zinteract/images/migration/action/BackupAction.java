package io.zinteract.images.migration.action;

import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.db.Jdbc;
import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.JobContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A consistent copy of the SQLite database with {@code VACUUM INTO}, which reads one snapshot while the service keeps
 * writing. The file goes to {@code backups/} beside the database file ({@code data/backups/} by default); its name is
 * ours, never the client's.
 */
@ApplicationScoped
class BackupAction implements RowlessAction {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Jdbc jdbc;
    private final ServiceConfig service;

    BackupAction(Jdbc jdbc, ServiceConfig service) {
        this.jdbc = jdbc;
        this.service = service;
    }

    @Override
    public Action action() {
        return Action.BACKUP;
    }

    /** The folder backups go to: {@code backups/} next to the SQLite file. */
    public Path folder() {
        Path parent = Path.of(service.sqlitePath()).toAbsolutePath().getParent();
        return parent.resolve("backups");
    }

    @Override
    public long prepare(JobContext job) {
        // Named once, so a backup resumed after a crash writes the same file again.
        job.report().backupPath = folder().resolve("images-" + STAMP.format(java.time.Instant.now()) + "-"
                + job.jobId() + ".db").toString();
        return 0;
    }

    @Override
    public void afterRows(JobContext job) {
        try {
            Path folder = folder();
            Files.createDirectories(folder);
            Path target = Path.of(job.report().backupPath);
            // VACUUM INTO refuses an existing file: a backup resumed after a crash starts over.
            Files.deleteIfExists(target);
            String literal = target.toString().replace("'", "''");
            jdbc.withConnection(c -> {
                try (Statement statement = c.createStatement()) {
                    statement.execute("VACUUM INTO '" + literal + "'");
                }
                return null;
            });
            job.report().backupBytes = Files.size(target);
        } catch (IOException e) {
            throw new UncheckedIOException("backup folder " + folder() + " is not writable", e);
        }
    }
}
