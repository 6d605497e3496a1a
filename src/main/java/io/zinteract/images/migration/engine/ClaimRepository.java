package io.zinteract.images.migration.engine;

import io.zinteract.images.migration.job.Claim;
import io.zinteract.images.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * SQL for {@code migration_claims} and the walk's shared state in {@code migration_jobs}. Every claim is won by one
 * conditional UPDATE or INSERT, never by reading first and writing after, so the same statements are safe on SQLite
 * (one writer at a time) and on PostgreSQL under READ COMMITTED (a second writer waits for the row lock, then finds
 * the condition no longer true). Times are the caller's clock in Unix milliseconds. Blocking.
 */
@ApplicationScoped
public class ClaimRepository {

    private final Jdbc jdbc;

    public ClaimRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Where the walk stands: the last id handed out, rows handed out so far, and whether the walk is over. */
    record Frontier(String frontier, long carved, boolean rowsDone) {
    }

    Frontier frontier(String jobId) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT frontier, carved, rows_done FROM migration_jobs WHERE id = ?")) {
                ps.setString(1, jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("job " + jobId + " is gone");
                    }
                    return new Frontier(rs.getString(1), rs.getLong(2), rs.getInt(3) == 1);
                }
            }
        });
    }

    /**
     * Takes the next {@code count} rows, up to {@code throughId}, as a batch of this replica: moves the frontier only if
     * it is still where {@code seen} says (compare-and-set), and records the claim in the same transaction. Empty when
     * another replica moved it first.
     */
    Optional<Claim> carve(String jobId, String owner, Frontier seen, int count, String throughId, long now, long leaseMillis) {
        return jdbc.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE migration_jobs SET frontier = ?, carved = carved + ? "
                    + "WHERE id = ? AND COALESCE(frontier, '') = ? AND carved = ? AND rows_done = 0")) {
                ps.setString(1, throughId);
                ps.setLong(2, count);
                ps.setString(3, jobId);
                ps.setString(4, seen.frontier() == null ? "" : seen.frontier());
                ps.setLong(5, seen.carved());
                if (ps.executeUpdate() != 1) {
                    return Optional.<Claim>empty();
                }
            }
            Claim claim = new Claim(jobId, seen.carved(), seen.frontier(), throughId, owner, null);
            insert(c, claim, now + leaseMillis, now);
            return Optional.of(claim);
        });
    }

    /** Marks the walk over if nobody moved the frontier since {@code seen}: no batch is cut after this. */
    boolean seal(String jobId, Frontier seen) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE migration_jobs SET rows_done = 1 "
                    + "WHERE id = ? AND COALESCE(frontier, '') = ? AND carved = ? AND rows_done = 0")) {
                ps.setString(1, jobId);
                ps.setString(2, seen.frontier() == null ? "" : seen.frontier());
                ps.setLong(3, seen.carved());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Takes over the first batch whose lease has run out (its replica died or released it). Only one replica can win a
     * claim: the UPDATE re-checks the expiry under the row lock.
     */
    Optional<Claim> takeExpired(String jobId, String owner, long now, long leaseMillis) {
        return jdbc.withConnection(c -> {
            // Read the candidates first and close the cursor: SQLite should not write while a read is open.
            java.util.List<Claim> candidates = new java.util.ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT batch_no, after_id, through_id, claimed_by, "
                    + "lease_expires_at FROM migration_claims WHERE job_id = ? AND batch_no >= 0 AND lease_expires_at < ? "
                    + "ORDER BY batch_no LIMIT 8")) {
                select.setString(1, jobId);
                select.setLong(2, now);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        String previous = rs.getString(4);
                        // A released claim (lease 0) was handed back, not abandoned: not a takeover.
                        boolean abandoned = rs.getLong(5) > 0 && !owner.equals(previous);
                        candidates.add(new Claim(jobId, rs.getLong(1), rs.getString(2), rs.getString(3), owner,
                                abandoned ? previous : null));
                    }
                }
            }
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
            Claim claim = new Claim(jobId, step, null, null, owner, null);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO migration_claims (job_id, batch_no, after_id, "
                    + "through_id, claimed_by, lease_expires_at, claimed_at) VALUES (?, ?, NULL, NULL, ?, ?, ?) "
                    + "ON CONFLICT (job_id, batch_no) DO NOTHING")) {
                ps.setString(1, jobId);
                ps.setLong(2, step);
                ps.setString(3, owner);
                ps.setLong(4, now + leaseMillis);
                ps.setLong(5, now);
                if (ps.executeUpdate() == 1) {
                    return Optional.of(claim);
                }
            }
            return take(c, jobId, step, owner, now, leaseMillis) ? Optional.of(claim) : Optional.<Claim>empty();
        });
    }

    /** Batches cut and not yet folded into the job, whoever holds them. */
    long openBatches(String jobId) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM migration_claims WHERE job_id = ? AND batch_no >= 0")) {
                ps.setString(1, jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Pushes the lease forward; false when the claim is no longer this replica's. */
    boolean renew(Claim claim, long now, long leaseMillis) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE migration_claims SET lease_expires_at = ? "
                    + "WHERE job_id = ? AND batch_no = ? AND claimed_by = ?")) {
                ps.setLong(1, now + leaseMillis);
                ps.setString(2, claim.jobId());
                ps.setLong(3, claim.batchNo());
                ps.setString(4, claim.owner());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Lets any replica take the claim at once (pause, shutdown, failure): its lease is set in the past. */
    void release(Claim claim) {
        jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE migration_claims SET lease_expires_at = 0 "
                    + "WHERE job_id = ? AND batch_no = ? AND claimed_by = ?")) {
                ps.setString(1, claim.jobId());
                ps.setLong(2, claim.batchNo());
                ps.setString(3, claim.owner());
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Releases every claim: on SQLite at start, where the database file belongs to this one process, so any claim
     * found is a dead predecessor's and need not wait for its lease.
     */
    int releaseAll() {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE migration_claims SET lease_expires_at = 0 WHERE lease_expires_at > 0")) {
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Fails the caller's transaction unless this replica still holds the claim, and keeps it so until commit: a takeover
     * (an UPDATE of the claim's row) waits for this commit and then sees its result. On PostgreSQL a shared row lock
     * does that while the images of one batch commit side by side (an UPDATE here made them queue behind each other);
     * SQLite has no row locks, so there the UPDATE takes its one write lock at once. {@code postgres} is
     * {@link io.zinteract.images.db.Jdbc#postgresql()}, known at start: this runs in every image's transaction.
     */
    static void fence(Connection c, Claim claim, boolean postgres) throws SQLException {
        String where = " WHERE job_id = ? AND batch_no = ? AND claimed_by = ?";
        try (PreparedStatement ps = c.prepareStatement(postgres
                ? "SELECT 1 FROM migration_claims" + where + " FOR SHARE"
                : "UPDATE migration_claims SET claimed_by = claimed_by" + where)) {
            ps.setString(1, claim.jobId());
            ps.setLong(2, claim.batchNo());
            ps.setString(3, claim.owner());
            boolean held;
            if (postgres) {
                try (ResultSet rs = ps.executeQuery()) {
                    held = rs.next();
                }
            } else {
                held = ps.executeUpdate() == 1;
            }
            if (!held) {
                throw new ClaimLostException(claim);
            }
        }
    }

    static void delete(Connection c, Claim claim) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM migration_claims WHERE job_id = ? AND batch_no = ?")) {
            ps.setString(1, claim.jobId());
            ps.setLong(2, claim.batchNo());
            ps.executeUpdate();
        }
    }

    /** The job's cursor after a fold: just before its first unfinished batch, else the frontier. */
    static String cursor(Connection c, String jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT after_id FROM migration_claims "
                + "WHERE job_id = ? AND batch_no >= 0 ORDER BY batch_no LIMIT 1")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT frontier FROM migration_jobs WHERE id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static boolean take(Connection c, String jobId, long batchNo, String owner, long now, long leaseMillis)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE migration_claims SET claimed_by = ?, lease_expires_at = ?, "
                + "claimed_at = ? WHERE job_id = ? AND batch_no = ? AND lease_expires_at < ?")) {
            ps.setString(1, owner);
            ps.setLong(2, now + leaseMillis);
            ps.setLong(3, now);
            ps.setString(4, jobId);
            ps.setLong(5, batchNo);
            ps.setLong(6, now);
            return ps.executeUpdate() == 1;
        }
    }

    private static void insert(Connection c, Claim claim, long leaseExpiresAt, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO migration_claims (job_id, batch_no, after_id, "
                + "through_id, claimed_by, lease_expires_at, claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, claim.jobId());
            ps.setLong(2, claim.batchNo());
            ps.setString(3, claim.afterId());
            ps.setString(4, claim.throughId());
            ps.setString(5, claim.owner());
            ps.setLong(6, leaseExpiresAt);
            ps.setLong(7, now);
            ps.executeUpdate();
        }
    }
}
