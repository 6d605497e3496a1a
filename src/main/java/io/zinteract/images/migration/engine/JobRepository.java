package io.zinteract.images.migration.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zinteract.images.db.Jdbc;
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
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** SQL for {@code migration_jobs}, {@code migration_failures} and {@code migration_job_items}. Blocking. */
@ApplicationScoped
public class JobRepository {

    private static final String LOCK = "mutating";
    static final String COLUMNS = "id, action, state, options, active_lock, cursor_id, total, processed, succeeded, "
            + "skipped, failed, bytes, report, error, created_at, started_at, finished_at, updated_at";
    static final String BY_ID = "SELECT " + COLUMNS + " FROM migration_jobs WHERE id = ?";
    private static final String ACTIVE = in(JobState.RUNNING, JobState.PAUSED, JobState.WAITING_FOR_STORAGE);
    /** The states in which replicas work on a job; the only ones a replica's own transition may leave. */
    static final String WORKING = in(JobState.RUNNING, JobState.WAITING_FOR_STORAGE);

    private final Jdbc jdbc;
    private final ObjectMapper json;

    JobRepository(Jdbc jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.json = mapper.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /**
     * Stores a new job. Returns false when it is mutating and another mutating job holds the lock: the unique index on
     * {@code active_lock} refuses the row, so two processes cannot both start one.
     */
    public boolean insert(JobRow job) {
        try {
            return jdbc.update("INSERT INTO migration_jobs (id, action, state, dry_run, options, active_lock, cursor_id, "
                    + "total, processed, succeeded, skipped, failed, bytes, report, error, created_at, started_at, "
                    + "finished_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, ?, NULL, ?, ?, NULL, ?)",
                    job.id(), job.action().wire(), job.state().wire(), job.dryRun() ? 1 : 0, write(job.options()),
                    job.mutating() ? LOCK : null, job.cursor(), job.total(), write(job.report()), job.createdAt(),
                    job.startedAt(), job.updatedAt()) == 1;
        } catch (Jdbc.DataAccessException e) {
            if (job.mutating() && findActiveMutating().isPresent()) {
                return false;
            }
            throw e;
        }
    }

    public Optional<JobRow> find(String id) {
        return jdbc.queryOne(BY_ID, this::map, id);
    }

    public Optional<JobRow> findActiveMutating() {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM migration_jobs WHERE active_lock = ?", this::map, LOCK);
    }

    /** The newest job that is active, or else the newest of all. */
    public Optional<JobRow> findLatest(boolean activeOnly) {
        String where = activeOnly ? " WHERE state IN " + ACTIVE : "";
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM migration_jobs" + where
                + " ORDER BY created_at DESC, id DESC LIMIT 1", this::map);
    }

    /** The newest job that has ended. */
    public Optional<JobRow> findLatestEnded() {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM migration_jobs WHERE state NOT IN " + ACTIVE
                + " ORDER BY created_at DESC, id DESC LIMIT 1", this::map);
    }

    /** Jobs a process left running or waiting when it stopped; paused ones wait for an operator's resume. */
    List<JobRow> findInterrupted() {
        return jdbc.query("SELECT " + COLUMNS + " FROM migration_jobs WHERE state IN " + WORKING + " ORDER BY created_at",
                this::map);
    }

    /** Sets the state; a terminal state also releases the lock and records when the job ended. */
    public void updateState(String id, JobState state, String error, long now) {
        setState(id, state, error, now, "");
    }

    /**
     * Sets the state only while the job is running or waiting for storage, and says whether it did: a replica never
     * overwrites what another replica or an operator decided meanwhile (paused, cancelled, failed, completed).
     */
    boolean transition(String id, JobState state, String error, long now) {
        return setState(id, state, error, now, " AND state IN " + WORKING) == 1;
    }

    private int setState(String id, JobState state, String error, long now, String condition) {
        boolean end = !state.active();
        String sql = "UPDATE migration_jobs SET state = ?, error = ?, updated_at = ?"
                + (end ? ", finished_at = ?, active_lock = NULL" : ", finished_at = NULL") + " WHERE id = ?" + condition;
        return end ? jdbc.update(sql, state.wire(), error, now, now, id) : jdbc.update(sql, state.wire(), error, now, id);
    }

    /** The stored state of a job, read without the rest of it (every heartbeat). */
    Optional<JobState> state(String id) {
        return jdbc.queryOne("SELECT state FROM migration_jobs WHERE id = ?", rs -> JobState.of(rs.getString(1)), id);
    }

    /** Takes the lock again for a failed mutating job that is resumed; false when another job holds it. */
    public boolean relock(String id) {
        try {
            return jdbc.update("UPDATE migration_jobs SET active_lock = ? WHERE id = ? AND active_lock IS NULL", LOCK,
                    id) == 1;
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
        insertItem(c, job, claim, result, now);
    }

    /**
     * Records a result inside a transaction the caller has already fenced with {@code claim} (null outside claims): a
     * batch's commit fences once for all its rows.
     */
    void insertItem(Connection c, JobContext job, Claim claim, ItemResult result, long now) throws SQLException {
        Jdbc.update(c, "INSERT INTO migration_job_items (job_id, image_id, result, worker_id) VALUES (?, ?, ?, ?)",
                job.jobId(), result.imageId(), write(result), claim == null ? null : claim.owner());
        if (result.outcome() == ItemResult.Outcome.FAILED) {
            Jdbc.update(c, "INSERT INTO migration_failures (job_id, image_id, error, attempts, failed_at) "
                    + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_id, image_id) DO UPDATE SET error = excluded.error, "
                    + "attempts = excluded.attempts, failed_at = excluded.failed_at", job.jobId(), result.imageId(),
                    result.error() == null ? "failed" : result.error(), Math.max(1, result.attempts()), now);
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
        jdbc.update("UPDATE migration_job_items SET result = ? WHERE job_id = ? AND image_id = ?", write(result),
                job.jobId(), result.imageId());
    }

    /** The first {@code limit} failures of a job, oldest first, with their exact total. */
    public Listing<JobError> failures(String jobId, int limit) {
        return jdbc.withConnection(c -> {
            Listing<JobError> listing = new Listing<>();
            listing.items.addAll(Jdbc.query(c, "SELECT image_id, error, attempts FROM migration_failures "
                    + "WHERE job_id = ? ORDER BY failed_at, image_id LIMIT ?",
                    rs -> new JobError(rs.getString(1), rs.getString(2), rs.getInt(3)), jobId, limit));
            listing.total = Jdbc.queryOne(c, "SELECT COUNT(*) FROM migration_failures WHERE job_id = ?",
                    rs -> rs.getLong(1), jobId).orElse(0L);
            return listing;
        });
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

    /** An SQL list of the states' stored names, e.g. {@code ('running', 'paused')}. */
    private static String in(JobState... states) {
        return Stream.of(states).map(s -> "'" + s.wire() + "'").collect(Collectors.joining(", ", "(", ")"));
    }
}
