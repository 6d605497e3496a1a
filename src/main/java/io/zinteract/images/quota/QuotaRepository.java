package io.zinteract.images.quota;

import io.zinteract.images.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * SQL of the quotas: usage read from {@code images} (legacy rows included) plus the reservations of images not yet
 * written, and the daily generation counters. Every method but {@link #release} runs inside the caller's transaction.
 */
@ApplicationScoped
class QuotaRepository {

    /**
     * Rows that hold an image of their session or persona: not failed, and not a generation still waiting for its
     * provider, unless that generation is younger than the hold (it will be an image: it counts, so that a burst of
     * generations cannot all pass the image cap) or the row holds content after all (legacy rows default to
     * {@code generating}). The one argument is the Unix second before which a contentless generating row is stale.
     */
    private static final String COUNTED = "COALESCE(status, '') <> 'failed' AND (COALESCE(status, '') <> 'generating' "
            + "OR COALESCE(r2_key, '') <> '' OR octet_length(image_data) > 0 OR COALESCE(created_at, 0) > ?)";

    private final Jdbc jdbc;

    QuotaRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    boolean postgresql() {
        return jdbc.postgresql();
    }

    <T> T inTransaction(Jdbc.SqlWork<T> work) {
        return jdbc.inTransaction(work);
    }

    /** The column a scope is counted by: only these two, never a caller's string. */
    enum Scope {
        SESSION("session_id"), PERSONA("persona_id");

        final String column;

        Scope(String column) {
            this.column = column;
        }
    }

    /**
     * What a session or persona holds: images and the bytes of rows that know their size, the upper bound of legacy
     * base64 rows' bytes (3/4 of their characters) with how many there are, and the reservations of images without a
     * row yet. Image {@code ownId} is left out, its row and its reservation: it is the one being decided.
     */
    record Usage(long images, long knownBytes, long legacyBound, long legacyRows, long reservedImages,
            long reservedBytes) {

        long imageCount() {
            return images + reservedImages;
        }
    }

    Usage usage(Connection c, Scope scope, String key, String ownId, long now, long staleBefore) throws SQLException {
        // One statement, so one snapshot: a row written and its reservation released between two statements would
        // count in neither (PostgreSQL reads each statement of a READ COMMITTED transaction at its own start). An
        // image's reservation stops counting once its row counts; a generating row counts as an image but not yet its
        // bytes, which its reservation holds while the generated image is stored.
        return Jdbc.queryOne(c, "SELECT s.n, s.known, s.bound, s.legacy, h.n, h.bytes FROM (SELECT COUNT(*) AS n, "
                + "COALESCE(SUM(size_bytes), 0) AS known, COALESCE(SUM(CASE WHEN size_bytes IS NULL THEN "
                + "CAST(COALESCE(octet_length(image_data), 0) AS BIGINT) * 3 / 4 ELSE 0 END), 0) AS bound, COALESCE(SUM(CASE WHEN "
                + "size_bytes IS NULL AND octet_length(image_data) > 0 THEN 1 ELSE 0 END), 0) AS legacy FROM images "
                + "WHERE " + scope.column + " = ? AND id <> ? AND " + COUNTED + ") s, (SELECT COALESCE(SUM(CASE WHEN i.id IS NULL "
                + "THEN 1 ELSE 0 END), 0) AS n, COALESCE(SUM(CASE WHEN i.id IS NULL OR COALESCE(i.status, '') = "
                + "'generating' THEN r.bytes ELSE 0 END), 0) AS bytes FROM quota_reservations r LEFT JOIN images i ON "
                + "i.id = r.id WHERE r." + scope.column + " = ? AND r.expires_at > ? AND r.id <> ?) h",
                rs -> new Usage(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)),
                key, ownId, staleBefore, key, now, ownId).orElseThrow();
    }

    /** The exact bytes of the legacy base64 rows {@link #usage} only bounded: read only when the bound is not enough. */
    long legacyBytes(Connection c, Scope scope, String key, long staleBefore) throws SQLException {
        List<Long> sizes = Jdbc.query(c, "SELECT image_data FROM images WHERE " + scope.column + " = ? AND "
                + "size_bytes IS NULL AND octet_length(image_data) > 0 AND " + COUNTED,
                rs -> LegacyBytes.decodedLength(rs.getString(1)), key, staleBefore);
        return sizes.stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Serializes quota decisions on these keys across replicas until the transaction ends. PostgreSQL: transaction
     * advisory locks, taken in one order so two decisions never wait for each other. SQLite: the transaction's first
     * write takes the database's one write lock, so the caller writes before it reads.
     */
    void lock(Connection c, List<String> keys) throws SQLException {
        if (!jdbc.postgresql()) {
            return;
        }
        for (long key : keys.stream().mapToLong(QuotaRepository::lockKey).sorted().distinct().toArray()) {
            Jdbc.query(c, "SELECT pg_advisory_xact_lock(?)", rs -> 1, key);
        }
    }

    static long lockKey(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("quota\0" + name).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void purgeExpired(Connection c, long now) throws SQLException {
        Jdbc.update(c, "DELETE FROM quota_reservations WHERE expires_at <= ?", now);
    }

    /** Records (or replaces) the reservation of image {@code id}. */
    void hold(Connection c, String id, String sessionId, String personaId, long bytes, long expiresAt) throws SQLException {
        Jdbc.update(c, "DELETE FROM quota_reservations WHERE id = ?", id);
        Jdbc.update(c, "INSERT INTO quota_reservations (id, session_id, persona_id, bytes, expires_at) VALUES (?, ?, ?, ?, ?)",
                id, sessionId, personaId, bytes, expiresAt);
    }

    /** Drops a reservation: its image was stored (its row counts now) or will not be. */
    void release(String id) {
        jdbc.update("DELETE FROM quota_reservations WHERE id = ?", id);
    }

    /** Counts one generation of {@code day} if fewer than {@code cap} were counted; false when none is left. */
    boolean takeGeneration(Connection c, String sessionId, long day, long cap) throws SQLException {
        Jdbc.update(c, "INSERT INTO quota_generations (session_id, day, used) VALUES (?, ?, 0) "
                + "ON CONFLICT (session_id, day) DO NOTHING", sessionId, day);
        return Jdbc.update(c, "UPDATE quota_generations SET used = used + 1 WHERE session_id = ? AND day = ? AND used < ?",
                sessionId, day, cap) == 1;
    }

    long generations(Connection c, String sessionId, long day) throws SQLException {
        return Jdbc.queryOne(c, "SELECT used FROM quota_generations WHERE session_id = ? AND day = ?",
                rs -> rs.getLong(1), sessionId, day).orElse(0L);
    }

    /** Counters of days before {@code day} decide nothing any more. */
    void purgeDaysBefore(Connection c, long day) throws SQLException {
        Jdbc.update(c, "DELETE FROM quota_generations WHERE day < ?", day);
    }
}
