package io.zinteract.images.migration.engine;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.zinteract.images.db.Jdbc;
import io.zinteract.images.migration.job.Claim;
import io.zinteract.images.migration.job.ItemResult;
import io.zinteract.images.migration.job.JobReport;
import io.zinteract.images.migration.job.JobRow;
import io.zinteract.images.migration.job.JobState;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A job's counters, report and cursor, kept exact however many replicas work on it: they are never added up in memory
 * but folded from the per-image results in {@code migration_job_items}, in the same transaction that deletes the
 * results it folds. Each transaction starts by writing the job's row, which takes its lock on PostgreSQL and the write
 * lock on SQLite, so two folds never read the same counters. Blocking.
 */
@ApplicationScoped
public class JobLedger {

    private final Jdbc jdbc;
    private final JobRepository jobs;
    private final MigrationConfig config;

    JobLedger(Jdbc jdbc, JobRepository jobs, MigrationConfig config) {
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.config = config;
    }

    /** A replica's share of a job: images it processed and, of them, those done (migrated, valid, ...). */
    @RegisterForReflection
    public record Share(String workerId, long processed, long succeeded) {
    }

    /**
     * Adds the results recorded for the claim's rows (all of the job's results for a step claim) to the job and
     * deletes them. A complete batch's claim goes too, and the cursor moves to just before the first unfinished batch.
     * Throws {@link ClaimLostException} when another replica took the claim: it folds them instead.
     */
    void fold(Claim claim, boolean complete) {
        jdbc.inTransaction(c -> {
            long now = System.currentTimeMillis();
            lock(c, claim.jobId(), now);
            ClaimRepository.fence(c, claim, jdbc.postgresql());
            List<Recorded> recorded = recorded(c, claim);
            if (recorded.isEmpty() && !complete) {
                return null;
            }
            JobRow row = find(c, claim.jobId());
            JobRow folded = apply(row, recorded.stream().map(Recorded::result).toList(), config.listedItems());
            String cursor = row.cursor();
            if (complete) {
                ClaimRepository.delete(c, claim);
                cursor = claim.batch() ? ClaimRepository.cursor(c, claim.jobId()) : cursor;
            }
            Jdbc.update(c, "UPDATE migration_jobs SET cursor_id = ?, processed = ?, succeeded = ?, skipped = ?, "
                    + "failed = ?, bytes = ?, report = ?, updated_at = ? WHERE id = ?",
                    cursor == null || cursor.isEmpty() ? null : cursor, folded.processed(), folded.succeeded(),
                    folded.skipped(), folded.failed(), folded.bytes(), jobs.write(folded.report()), now, claim.jobId());
            // One statement per result, sent as one JDBC batch: the fold holds the job's lock meanwhile.
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM migration_job_items WHERE job_id = ? AND image_id = ?")) {
                for (Recorded r : recorded) {
                    ps.setString(1, claim.jobId());
                    ps.setString(2, r.result().imageId());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            addShares(c, claim.jobId(), recorded, now);
            return null;
        });
    }

    /**
     * Ends the prepare step: the total and the report's start values are stored, unless another replica stored its own
     * first (then the job keeps that one, so every replica samples and cuts off alike), and the step's claim goes.
     */
    void prepared(Claim step, long total, JobReport report) {
        jdbc.inTransaction(c -> {
            long now = System.currentTimeMillis();
            lock(c, step.jobId(), now);
            ClaimRepository.fence(c, step, jdbc.postgresql());
            if (find(c, step.jobId()).report().phase == null) {
                Jdbc.update(c, "UPDATE migration_jobs SET total = ?, report = ? WHERE id = ?", total, jobs.write(report),
                        step.jobId());
            }
            ClaimRepository.delete(c, step);
            return null;
        });
    }

    /** Stores the report while the work after the rows runs. A whole-report write is safe: no batch is left to fold. */
    void saveReport(Claim step, JobReport report) {
        jdbc.inTransaction(c -> {
            lock(c, step.jobId(), System.currentTimeMillis());
            ClaimRepository.fence(c, step, jdbc.postgresql());
            writeReport(c, step.jobId(), report);
            return null;
        });
    }

    /**
     * Ends the job: its final report, state {@code completed} (only if it is still running or waiting) and the end of
     * the step's claim, in one transaction, so no other replica can claim the step again for a job still running.
     */
    void complete(Claim step, JobReport report) {
        jdbc.inTransaction(c -> {
            long now = System.currentTimeMillis();
            lock(c, step.jobId(), now);
            ClaimRepository.fence(c, step, jdbc.postgresql());
            writeReport(c, step.jobId(), report);
            Jdbc.update(c, "UPDATE migration_jobs SET state = ?, error = NULL, finished_at = ?, active_lock = NULL "
                    + "WHERE id = ? AND state IN " + JobRepository.WORKING, JobState.COMPLETED.wire(), now, step.jobId());
            ClaimRepository.delete(c, step);
            return null;
        });
    }

    private void writeReport(Connection c, String jobId, JobReport report) throws SQLException {
        Jdbc.update(c, "UPDATE migration_jobs SET report = ? WHERE id = ?", jobs.write(report), jobId);
    }

    /** Ids of the images whose results for the claim's rows are recorded: done, by this replica or a dead one. */
    Set<String> doneIds(Claim claim) {
        return jdbc.withConnection(c -> {
            Set<String> ids = new HashSet<>();
            for (Recorded r : recorded(c, claim)) {
                ids.add(r.result().imageId());
            }
            return ids;
        });
    }

    /**
     * The job as it stands now: folded counters plus the results of batches a live replica is working on, so progress
     * shows within a batch. Results left by a replica that stopped (its claim released or expired) show once another
     * takes the batch over, and are counted once either way.
     */
    public Optional<JobRow> live(String id) {
        // One connection, and one snapshot: a fold between reading the row and its in-flight results would otherwise
        // count those results twice or not at all, and progress would jump back. (Read-only; SQLite's WAL readers
        // never block its writer.)
        return jdbc.inTransaction(c -> {
            if (jdbc.postgresql()) {
                try (var s = c.createStatement()) {
                    s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
            }
            Optional<JobRow> row = Jdbc.queryOne(c, JobRepository.BY_ID, jobs::map, id);
            if (row.isEmpty() || !row.get().state().active()) {
                return row;
            }
            List<ItemResult> inFlight = Jdbc.query(c, "SELECT i.result FROM migration_job_items i "
                    + "JOIN migration_claims c ON c.job_id = i.job_id AND c.batch_no >= 0 "
                    + "AND i.image_id > COALESCE(c.after_id, '') AND i.image_id <= c.through_id "
                    + "WHERE i.job_id = ? AND c.lease_expires_at >= ?",
                    rs -> jobs.read(rs.getString(1), ItemResult.class), id, System.currentTimeMillis());
            return Optional.of(apply(row.get(), inFlight, config.listedItems()));
        });
    }

    /** How the job's folded work was shared between replicas, largest share first. */
    public List<Share> shares(String jobId) {
        return jdbc.query("SELECT worker_id, processed, succeeded FROM migration_job_workers WHERE job_id = ? "
                + "ORDER BY processed DESC, worker_id", rs -> new Share(rs.getString(1), rs.getLong(2), rs.getLong(3)),
                jobId);
    }

    /** The row with the results added: counters, bytes and report. {@code row.report()} must be the caller's own. */
    static JobRow apply(JobRow row, List<ItemResult> results, int bound) {
        long processed = row.processed();
        long succeeded = row.succeeded();
        long skipped = row.skipped();
        long failed = row.failed();
        long bytes = row.bytes();
        JobReport report = row.report() == null ? new JobReport() : row.report();
        for (ItemResult r : results) {
            if (r.deferred()) {
                continue;
            }
            processed++;
            switch (r.outcome()) {
                case SUCCEEDED -> {
                    succeeded++;
                    bytes += r.bytes();
                }
                case SKIPPED -> skipped++;
                case FAILED -> failed++;
                default -> {
                }
            }
            report.apply(row.action(), row.dryRun(), r, bound);
        }
        return new JobRow(row.id(), row.action(), row.state(), row.options(), row.mutating(), row.cursor(), row.total(),
                processed, succeeded, skipped, failed, bytes, report, row.error(), row.createdAt(), row.startedAt(),
                row.finishedAt(), row.updatedAt());
    }

    private record Recorded(String workerId, ItemResult result) {
    }

    /** The results in the claim's range for a batch, or all of the job's for a step. */
    private List<Recorded> recorded(Connection c, Claim claim) throws SQLException {
        Jdbc.RowMapper<Recorded> mapper = rs -> new Recorded(rs.getString(1), jobs.read(rs.getString(2), ItemResult.class));
        String sql = "SELECT worker_id, result FROM migration_job_items WHERE job_id = ?";
        return claim.batch()
                ? Jdbc.query(c, sql + " AND image_id > ? AND image_id <= ? ORDER BY image_id", mapper, claim.jobId(),
                        claim.afterId() == null ? "" : claim.afterId(), claim.throughId())
                : Jdbc.query(c, sql + " ORDER BY image_id", mapper, claim.jobId());
    }

    private void addShares(Connection c, String jobId, List<Recorded> recorded, long now) throws SQLException {
        Map<String, long[]> byWorker = new LinkedHashMap<>();
        for (Recorded r : recorded) {
            if (r.workerId() == null || r.result().deferred()) {
                continue;
            }
            long[] counts = byWorker.computeIfAbsent(r.workerId(), k -> new long[2]);
            counts[0]++;
            if (r.result().outcome() == ItemResult.Outcome.SUCCEEDED) {
                counts[1]++;
            }
        }
        if (byWorker.isEmpty()) {
            return;
        }
        // One statement per replica, sent as one JDBC batch.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO migration_job_workers (job_id, worker_id, processed, "
                + "succeeded, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_id, worker_id) DO UPDATE SET "
                + "processed = migration_job_workers.processed + excluded.processed, "
                + "succeeded = migration_job_workers.succeeded + excluded.succeeded, updated_at = excluded.updated_at")) {
            for (Map.Entry<String, long[]> e : byWorker.entrySet()) {
                ps.setString(1, jobId);
                ps.setString(2, e.getKey());
                ps.setLong(3, e.getValue()[0]);
                ps.setLong(4, e.getValue()[1]);
                ps.setLong(5, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Written first in every transaction here: the job's row lock (PostgreSQL), the write lock (SQLite). */
    private static void lock(Connection c, String jobId, long now) throws SQLException {
        if (Jdbc.update(c, "UPDATE migration_jobs SET updated_at = ? WHERE id = ?", now, jobId) != 1) {
            throw new IllegalStateException("job " + jobId + " is gone");
        }
    }

    private JobRow find(Connection c, String id) throws SQLException {
        return Jdbc.queryOne(c, JobRepository.BY_ID, jobs::map, id)
                .orElseThrow(() -> new IllegalStateException("job " + id + " is gone"));
    }
}
