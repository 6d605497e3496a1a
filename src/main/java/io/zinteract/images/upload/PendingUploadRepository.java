package io.zinteract.images.upload;

import io.zinteract.images.db.Jdbc;
import io.zinteract.images.image.ImageRepository;
import io.zinteract.images.image.NewImageRow;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * SQL for {@code pending_uploads}. State changes are conditional updates on the current status, so two completions
 * of one upload never both proceed. Blocking: call from a worker thread.
 */
@ApplicationScoped
public class PendingUploadRepository {

    private static final String COLUMNS = "id, image_id, object_key, upload_key, persona_id, persona_title, prompt, "
            + "session_id, participant_id, table_id, provider, content_type, size_bytes, content_md5, status, "
            + "failure_reason, created_at, expires_at, updated_at";

    private final Jdbc jdbc;

    public PendingUploadRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Of {@code keys}, those that an upload may still write or copy to: its staging key or its image's key, while
     * it is pending or being verified and {@code nowSeconds} is before its expiry plus {@code slackSeconds}.
     */
    public java.util.Set<String> inFlightKeys(java.util.List<String> keys, long nowSeconds, long slackSeconds) {
        if (keys.isEmpty()) {
            return java.util.Set.of();
        }
        String marks = String.join(", ", java.util.Collections.nCopies(keys.size(), "?"));
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT upload_key, object_key FROM pending_uploads "
                    + "WHERE status IN ('pending', 'verifying') AND expires_at + ? > ? "
                    + "AND (upload_key IN (" + marks + ") OR object_key IN (" + marks + "))")) {
                int i = 0;
                ps.setLong(++i, slackSeconds);
                ps.setLong(++i, nowSeconds);
                for (int round = 0; round < 2; round++) {
                    for (String key : keys) {
                        ps.setString(++i, key);
                    }
                }
                java.util.Set<String> found = new java.util.HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getString(1));
                        found.add(rs.getString(2));
                    }
                }
                found.retainAll(keys);
                return found;
            }
        });
    }

    public void insert(PendingUpload u) {
        jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pending_uploads (" + COLUMNS + ") "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                int i = 0;
                ps.setString(++i, u.id());
                ps.setString(++i, u.imageId());
                ps.setString(++i, u.objectKey());
                ps.setString(++i, u.uploadKey());
                ps.setString(++i, u.personaId());
                ps.setString(++i, u.personaTitle());
                ps.setString(++i, u.prompt());
                ps.setString(++i, u.sessionId());
                ps.setString(++i, u.participantId());
                ps.setString(++i, u.tableId());
                ps.setString(++i, u.provider());
                ps.setString(++i, u.contentType());
                ps.setLong(++i, u.sizeBytes());
                ps.setString(++i, u.contentMd5());
                ps.setString(++i, u.status().wire());
                ps.setString(++i, u.failureReason());
                ps.setLong(++i, u.createdAt());
                ps.setLong(++i, u.expiresAt());
                ps.setLong(++i, u.updatedAt());
                return ps.executeUpdate();
            }
        });
    }

    public Optional<PendingUpload> find(String id) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM pending_uploads WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(map(rs)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Takes the upload for one completion: from {@code pending}, or from {@code verifying} when its holder has been
     * silent since {@code staleBefore} (a crash mid-verification must not block the upload for ever).
     */
    public boolean claim(String id, long now, long staleBefore) {
        return update("UPDATE pending_uploads SET status = 'verifying', updated_at = ? WHERE id = ? "
                + "AND (status = 'pending' OR (status = 'verifying' AND updated_at < ?))", now, id, staleBefore);
    }

    /** Gives a claimed upload back (nothing uploaded yet, or the store failed), so a later completion can try again. */
    public boolean release(String id, long now) {
        return update("UPDATE pending_uploads SET status = 'pending', updated_at = ? WHERE id = ? AND status = 'verifying'",
                now, id);
    }

    /** Ends an upload that will never complete: {@code rejected} (with why) or {@code expired}. */
    public boolean close(String id, PendingUpload.Status status, String reason, long now) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE pending_uploads SET status = ?, failure_reason = ?, "
                    + "updated_at = ? WHERE id = ? AND status IN ('pending', 'verifying')")) {
                ps.setString(1, status.wire());
                ps.setString(2, reason);
                ps.setLong(3, now);
                ps.setString(4, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Marks the upload completed and writes its image row in one transaction: either both happen or neither. False
     * when this caller no longer holds the upload (nothing is written then).
     */
    public boolean complete(String id, NewImageRow row, long now) {
        return jdbc.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE pending_uploads SET status = 'completed', "
                    + "updated_at = ? WHERE id = ? AND status = 'verifying'")) {
                ps.setLong(1, now);
                ps.setString(2, id);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            ImageRepository.insert(c, row);
            return true;
        });
    }

    private boolean update(String sql, long first, String id, long... more) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, first);
                ps.setString(2, id);
                for (int i = 0; i < more.length; i++) {
                    ps.setLong(3 + i, more[i]);
                }
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static PendingUpload map(ResultSet rs) throws SQLException {
        return new PendingUpload(rs.getString("id"), rs.getString("image_id"), rs.getString("object_key"),
                rs.getString("upload_key"), rs.getString("persona_id"), rs.getString("persona_title"),
                rs.getString("prompt"), rs.getString("session_id"), rs.getString("participant_id"),
                rs.getString("table_id"), rs.getString("provider"), rs.getString("content_type"),
                rs.getLong("size_bytes"), rs.getString("content_md5"), PendingUpload.Status.of(rs.getString("status")),
                rs.getString("failure_reason"), rs.getLong("created_at"), rs.getLong("expires_at"),
                rs.getLong("updated_at"));
    }
}
