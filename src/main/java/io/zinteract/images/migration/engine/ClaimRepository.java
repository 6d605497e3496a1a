package io.zinteract.images.migration.engine;

import io.zinteract.images.db.Jdbc;
import io.zinteract.images.migration.job.Claim;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * SQL for {@code migration_claims} and the walk's shared state in {@code migration_jobs}; {@link Claims} tells what
 * it is for. Every claim is won by one conditional UPDATE or INSERT, never by reading first and writing after, so the
 * same statements are safe on SQLite (one writer at a time) and on PostgreSQL under READ COMMITTED (a second writer
 * waits for the row lock, then finds the condition no longer true). Times are the caller's clock in Unix
 * milliseconds. Blocking.
 */
@ApplicationScoped
class ClaimRepository {

    private static final String MINE = " WHERE job_id = ? AND batch_no = ? AND claimed_by = ?";
    /** The walk as {@code seen} left it: {@code frontier} and {@code carved} unchanged, rows not sealed. */
    private static final String UNMOVED = " WHERE id = ? AND COALESCE(frontier, '') = ? AND carved = ? AND rows_done = 0";

    private final Jdbc jdbc;

    ClaimRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Where the walk stands: the last id handed out, rows handed out so far, and whether the walk is over. */
    record Frontier(String frontier, long carved, boolean rowsDone) {
    }

    Frontier frontier(String jobId) {
        return jdbc.queryOne("SELECT frontier, carved, rows_done FROM migration_jobs WHERE id = ?",
                rs -> new Frontier(rs.getString(1), rs.getLong(2), rs.getInt(3) == 1), jobId)
                .orElseThrow(() -> new IllegalStateException("job " + jobId + " is gone"));
    }

    /**
     * Takes the next {@code count} rows, up to {@code throughId}, as a batch of this replica: moves the frontier only if
     * it is still where {@code seen} says (compare-and-set), and records the claim in the same transaction. Empty when
     * another replica moved it first.
     */
    Optional<Claim> carve(String jobId, String owner, Frontier seen, int count, String throughId, long now, long leaseMillis) {
        return jdbc.inTransaction(c -> {
            if (Jdbc.update(c, "UPDATE migration_jobs SET frontier = ?, carved = carved + ?" + UNMOVED, throughId,
                    count, jobId, orEmpty(seen.frontier()), seen.carved()) != 1) {
                return Optional.<Claim>empty();
            }
            Claim claim = new Claim(jobId, seen.carved(), seen.frontier(), throughId, owner, null);
            Jdbc.update(c, "INSERT INTO migration_claims (job_id, batch_no, after_id, through_id, claimed_by, "
                    + "lease_expires_at, claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?)", jobId, claim.batchNo(),
                    claim.afterId(), throughId, owner, now + leaseMillis, now);
            return Optional.of(claim);
        });
    }

    /** Marks the walk over if nobody moved the frontier since {@code seen}: no batch is cut after this. */
    boolean seal(String jobId, Frontier seen) {
        return jdbc.update("UPDATE migration_jobs SET rows_done = 1" + UNMOVED, jobId, orEmpty(seen.frontier()),
                seen.carved()) == 1;
    }

    /**
     * Takes over the first batch whose lease has run out (its replica died or released it). Only one replica can win a
     * claim: the UPDATE re-checks the expiry under the row lock.
     */
    Optional<Claim> takeExpired(String jobId, String owner, long now, long leaseMillis) {
        return jdbc.withConnection(c -> {
            // Read the candidates first and close the cursor: SQLite should not write while a read is open.
            List<Claim> candidates = Jdbc.query(c, "SELECT batch_no, after_id, through_id, claimed_by, lease_expires_at "
                    + "FROM migration_claims WHERE job_id = ? AND batch_no >= 0 AND lease_expires_at < ? "
                    + "ORDER BY batch_no LIMIT 8", rs -> {
                        String previous = rs.getString(4);
                        // A released claim (lease 0) was handed back, not abandoned: not a takeover.
                        boolean abandoned = rs.getLong(5) > 0 && !owner.equals(previous);
                        return new Claim(jobId, rs.getLong(1), rs.getString(2), rs.getString(3), owner,
                                abandoned ? previous : null);
                    }, jobId, now);
            for (Claim candidate : candidates) {
                if (take(c, jobId, candidate.batchNo(), owner, now, leaseMillis)) {
                    return Optional.of(candidate);
                }
            }
            return Optional.<Claim>empty();
        });
    }

    /** Claims a once-per-job step: a new claim, or one whose lease ran out. Empty while another replica holds it. */
    Optional<Claim> claimStep(String jobId, long step, String owner, long now, long leaseMillis) {
        return jdbc.withConnection(c -> {
            boolean won = Jdbc.update(c, "INSERT INTO migration_claims (job_id, batch_no, after_id, through_id, "
                    + "claimed_by, lease_expires_at, claimed_at) VALUES (?, ?, NULL, NULL, ?, ?, ?) "
                    + "ON CONFLICT (job_id, batch_no) DO NOTHING", jobId, step, owner, now + leaseMillis, now) == 1
                    || take(c, jobId, step, owner, now, leaseMillis);
            return won ? Optional.of(new Claim(jobId, step, null, null, owner, null)) : Optional.<Claim>empty();
        });
    }

    /** Batches cut and not yet folded into the job, whoever holds them. */
    long openBatches(String jobId) {
        return jdbc.queryOne("SELECT COUNT(*) FROM migration_claims WHERE job_id = ? AND batch_no >= 0",
                rs -> rs.getLong(1), jobId).orElse(0L);
    }

    /** Pushes the lease forward; false when the claim is no longer this replica's. */
    boolean renew(Claim claim, long now, long leaseMillis) {
        return jdbc.update("UPDATE migration_claims SET lease_expires_at = ?" + MINE, now + leaseMillis, claim.jobId(),
                claim.batchNo(), claim.owner()) == 1;
    }

    /** Lets any replica take the claim at once (pause, shutdown, failure): its lease is set in the past. */
    void release(Claim claim) {
        jdbc.update("UPDATE migration_claims SET lease_expires_at = 0" + MINE, claim.jobId(), claim.batchNo(),
                claim.owner());
    }

    /**
     * Releases every claim: on SQLite at start, where the database file belongs to this one process, so any claim
     * found is a dead predecessor's and need not wait for its lease.
     */
    int releaseAll() {
        return jdbc.update("UPDATE migration_claims SET lease_expires_at = 0 WHERE lease_expires_at > 0");
    }

    /**
     * Fails the caller's transaction unless this replica still holds the claim, and keeps it so until commit: a takeover
     * (an UPDATE of the claim's row) waits for this commit and then sees its result. On PostgreSQL a shared row lock
     * does that while the images of one batch commit side by side (an UPDATE here made them queue behind each other);
     * SQLite has no row locks, so there the UPDATE takes its one write lock at once. {@code postgres} is
     * {@link Jdbc#postgresql()}, known at start: this runs in every image's transaction.
     */
    static void fence(Connection c, Claim claim, boolean postgres) throws SQLException {
        Object[] mine = { claim.jobId(), claim.batchNo(), claim.owner() };
        boolean held = postgres
                ? Jdbc.queryOne(c, "SELECT 1 FROM migration_claims" + MINE + " FOR SHARE", rs -> true, mine).isPresent()
                : Jdbc.update(c, "UPDATE migration_claims SET claimed_by = claimed_by" + MINE, mine) == 1;
        if (!held) {
            throw new ClaimLostException(claim);
        }
    }

    static void delete(Connection c, Claim claim) throws SQLException {
        Jdbc.update(c, "DELETE FROM migration_claims WHERE job_id = ? AND batch_no = ?", claim.jobId(), claim.batchNo());
    }

    /** The job's cursor after a fold: just before its first unfinished batch, else the frontier. */
    static String cursor(Connection c, String jobId) throws SQLException {
        List<String> firstOpen = Jdbc.query(c, "SELECT after_id FROM migration_claims WHERE job_id = ? "
                + "AND batch_no >= 0 ORDER BY batch_no LIMIT 1", rs -> rs.getString(1), jobId);
        if (!firstOpen.isEmpty()) {
            return firstOpen.get(0);
        }
        List<String> frontier = Jdbc.query(c, "SELECT frontier FROM migration_jobs WHERE id = ?", rs -> rs.getString(1),
                jobId);
        return frontier.isEmpty() ? null : frontier.get(0);
    }

    private static boolean take(Connection c, String jobId, long batchNo, String owner, long now, long leaseMillis)
            throws SQLException {
        return Jdbc.update(c, "UPDATE migration_claims SET claimed_by = ?, lease_expires_at = ?, claimed_at = ? "
                + "WHERE job_id = ? AND batch_no = ? AND lease_expires_at < ?", owner, now + leaseMillis, now, jobId,
                batchNo, now) == 1;
    }

    private static String orEmpty(String id) {
        return id == null ? "" : id;
    }
}
