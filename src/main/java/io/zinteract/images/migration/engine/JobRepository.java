package io.zinteract.images.migration.engine;

import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.Claim;
import io.zinteract.images.migration.job.ItemResult;
import io.zinteract.images.migration.job.JobContext;
import io.zinteract.images.migration.job.JobError;
import io.zinteract.images.migration.job.JobOptions;
import io.zinteract.images.migration.job.JobReport;
import io.zinteract.images.migration.job.JobRow;
import io.zinteract.images.migration.job.JobState;
import io.zinteract.images.migration.job.Listing;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zinteract.images.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for {@code migration_jobs}, {@code migration_failures} and {@code migration_job_items}. Blocking. */
@ApplicationScoped
public class JobRepository {

    static final String LOCK = "mutating";
    static final String COLUMNS = "id, action, state, options, active_lock, cursor_id, total, processed, succeeded, "
            + "skipped, failed, bytes, report, error, created_at, started_at, finished_at, updated_at";
    private static final String ACTIVE = "('running', 'paused', 'waiting-for-storage')";

    private final Jdbc jdbc;
    private final ObjectMapper json;

    public JobRepository(Jdbc jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.json = mapper.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /**
     * Stores a new job. Returns false when it is mutating and another mutating job holds the lock: the unique index on
     * {@code active_lock} refuses the row, so two processes cannot both start one.
     */
    public boolean insert(JobRow job) {
        try {
            return jdbc.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO migration_jobs (id, action, state, dry_run, "
                        + "options, active_lock, cursor_id, total, processed, succeeded, skipped, failed, bytes, report, "
                        + "error, created_at, started_at, finished_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, ?, NULL, ?, ?, NULL, ?)")) {
                    int i = 0;
                    ps.setString(++i, job.id());
                    ps.setString(++i, job.action().wire());
                    ps.setString(++i, job.state().wire());
                    ps.setInt(++i, job.dryRun() ? 1 : 0);
                    ps.setString(++i, write(job.options()));
                    ps.setString(++i, job.mutating() ? LOCK : null);
                    ps.setString(++i, job.cursor());
                    ps.setLong(++i, job.total());
                    ps.setString(++i, write(job.report()));
                    ps.setLong(++i, job.createdAt());
                    ps.setLong(++i, job.startedAt());
                    ps.setLong(++i, job.updatedAt());
                    return ps.executeUpdate() == 1;
                }
            });
        } catch (Jdbc.DataAccessException e) {
            if (job.mutating() && findActiveMutating().isPresent()) {
                return false;
            }
            throw e;
        }
    }

    public Optional<JobRow> find(String id) {
        return one("SELECT " + COLUMNS + " FROM migration_jobs WHERE id = ?", id);
    }

    public Optional<JobRow> findActiveMutating() {
        return one("SELECT " + COLUMNS + " FROM migration_jobs WHERE active_lock = ?", LOCK);
    }

    /** The newest job that is active, or else the newest of all. */
    public Optional<JobRow> findLatest(boolean activeOnly) {
        String where = activeOnly ? " WHERE state IN " + ACTIVE : "";
        return one("SELECT " + COLUMNS + " FROM migration_jobs" + where + " ORDER BY created_at DESC, id DESC LIMIT 1", null);
    }

    /** The newest job that has ended. */
    public Optional<JobRow> findLatestEnded() {
        return one("SELECT " + COLUMNS + " FROM migration_jobs WHERE state NOT IN " + ACTIVE
                + " ORDER BY created_at DESC, id DESC LIMIT 1", null);
    }

    /** Jobs a process left running or waiting when it stopped; paused ones wait for an operator's resume. */
    public List<JobRow> findInterrupted() {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM migration_jobs "
                    + "WHERE state IN ('running', 'waiting-for-storage') ORDER BY created_at")) {
                return rows(ps);
            }
        });
    }

    /** Sets the state; a terminal state also releases the lock and records when the job ended. */
    public void updateState(String id, JobState state, String error, long now) {
        boolean end = !state.active();
        jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE migration_jobs SET state = ?, error = ?, updated_at = ?"
                    + (end ? ", finished_at = ?, active_lock = NULL" : ", finished_at = NULL") + " WHERE id = ?")) {
                int i = 0;
                ps.setString(++i, state.wire());
                ps.setString(++i, error);
                ps.setLong(++i, now);
                if (end) {
                    ps.setLong(++i, now);
                }
                ps.setString(++i, id);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Sets the state only while the job is running or waiting for storage, and says whether it did: a replica never
     * overwrites what another replica or an operator decided meanwhile (paused, cancelled, failed, completed).
     */
    public boolean transition(String id, JobState state, String error, long now) {
        boolean end = !state.active();
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE migration_jobs SET state = ?, error = ?, updated_at = ?"
                    + (end ? ", finished_at = ?, active_lock = NULL" : ", finished_at = NULL")
                    + " WHERE id = ? AND state IN ('running', 'waiting-for-storage')")) {
                int i = 0;
                ps.setString(++i, state.wire());
                ps.setString(++i, error);
                ps.setLong(++i, now);
                if (end) {
                    ps.setLong(++i, now);
                }
                ps.setString(++i, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The stored state of a job, read without the rest of it (every heartbeat). */
    public Optional<JobState> state(String id) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT state FROM migration_jobs WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(JobState.of(rs.getString(1))) : Optional.<JobState>empty();
                }
            }
        });
    }

    /** Takes the lock again for a failed mutating job that is resumed; false when another job holds it. */
    public boolean relock(String id) {
        try {
            return jdbc.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE migration_jobs SET active_lock = ? WHERE id = ? AND active_lock IS NULL")) {
                    ps.setString(1, LOCK);
                    ps.setString(2, id);
                    return ps.executeUpdate() == 1;
                }
            });
        } catch (Jdbc.DataAccessException e) {
            if (findActiveMutating().filter(other -> !other.id().equals(id)).isPresent()) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Records an image's result (and its failure, if it failed) on {@code c}, inside the caller's transaction, with the
     * replica that produced it. Fenced: when the job's claim on the image's batch was taken over by another replica,
     * {@link ClaimLostException} rolls the whole transaction back, so an image is never recorded twice.
     */
    public void recordItem(Connection c, JobContext job, ItemResult result, long now) throws SQLException {
        Claim claim = job.claim();
        if (claim != null) {
            ClaimRepository.fence(c, claim, jdbc.postgresql());
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO migration_job_items (job_id, image_id, result, worker_id) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, job.jobId());
            ps.setString(2, result.imageId());
            ps.setString(3, write(result));
            ps.setString(4, claim == null ? null : claim.owner());
            ps.executeUpdate();
        }
        if (result.outcome() == ItemResult.Outcome.FAILED) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO migration_failures (job_id, image_id, error, "
                    + "attempts, failed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_id, image_id) DO UPDATE SET "
                    + "error = excluded.error, attempts = excluded.attempts, failed_at = excluded.failed_at")) {
                ps.setString(1, job.jobId());
                ps.setString(2, result.imageId());
                ps.setString(3, result.error() == null ? "failed" : result.error());
                ps.setInt(4, Math.max(1, result.attempts()));
                ps.setLong(5, now);
                ps.executeUpdate();
            }
        }
    }

    public void recordItem(JobContext job, ItemResult result, long now) {
        jdbc.inTransaction(c -> {
            recordItem(c, job, result, now);
            return null;
        });
    }

    /**
     * Replaces a recorded result with what happened after its commit (rollback's object delete), so that the job's
     * report, which is folded from the stored results, tells it too.
     */
    public void updateItem(JobContext job, ItemResult result) {
        jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE migration_job_items SET result = ? WHERE job_id = ? AND image_id = ?")) {
                ps.setString(1, write(result));
                ps.setString(2, job.jobId());
                ps.setString(3, result.imageId());
                return ps.executeUpdate();
            }
        });
    }

    /** The first {@code limit} failures of a job, oldest first, with their exact total. */
    public Listing<JobError> failures(String jobId, int limit) {
        return jdbc.withConnection(c -> {
            Listing<JobError> listing = new Listing<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT image_id, error, attempts FROM migration_failures "
                    + "WHERE job_id = ? ORDER BY failed_at, image_id LIMIT ?")) {
                ps.setString(1, jobId);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        listing.items.add(new JobError(rs.getString(1), rs.getString(2), rs.getInt(3)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM migration_failures WHERE job_id = ?")) {
                ps.setString(1, jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    listing.total = rs.getLong(1);
                }
            }
            return listing;
        });
    }

    private Optional<JobRow> one(String sql, String arg) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (arg != null) {
                    ps.setString(1, arg);
                }
                List<JobRow> rows = rows(ps);
                return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
            }
        });
    }

    List<JobRow> rows(PreparedStatement ps) throws SQLException {
        List<JobRow> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(map(rs));
            }
        }
        return rows;
    }

    JobRow map(ResultSet rs) throws SQLException {
        String report = rs.getString("report");
        return new JobRow(rs.getString("id"), Action.parse(rs.getString("action")).orElseThrow(),
                JobState.of(rs.getString("state")), read(rs.getString("options"), JobOptions.class),
                rs.getString("active_lock") != null, rs.getString("cursor_id"), rs.getLong("total"),
                rs.getLong("processed"), rs.getLong("succeeded"), rs.getLong("skipped"), rs.getLong("failed"),
                rs.getLong("bytes"), report == null ? new JobReport() : read(report, JobReport.class),
                rs.getString("error"), rs.getLong("created_at"), nullableLong(rs, "started_at"),
                nullableLong(rs, "finished_at"), rs.getLong("updated_at"));
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("job data cannot be written as JSON", e);
        }
    }

    <T> T read(String value, Class<T> type) {
        try {
            return json.readValue(value, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored job data is not the JSON this version writes", e);
        }
    }
}
