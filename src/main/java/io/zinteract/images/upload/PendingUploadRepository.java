package io.zinteract.images.upload;

import io.zinteract.images.db.Jdbc;
import io.zinteract.images.image.data.ImageRepository;
import io.zinteract.images.image.data.NewImageRow;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
    public Set<String> inFlightKeys(List<String> keys, long nowSeconds, long slackSeconds) {
        if (keys.isEmpty()) {
            return Set.of();
        }
        String marks = String.join(", ", Collections.nCopies(keys.size(), "?"));
        List<Object> args = new ArrayList<>(List.of(slackSeconds, nowSeconds));
        args.addAll(keys);
        args.addAll(keys);
        Set<String> found = new HashSet<>();
        jdbc.query("SELECT upload_key, object_key FROM pending_uploads "
                + "WHERE status IN ('pending', 'verifying') AND expires_at + ? > ? "
                + "AND (upload_key IN (" + marks + ") OR object_key IN (" + marks + "))",
                rs -> List.of(rs.getString(1), rs.getString(2)), args.toArray()).forEach(found::addAll);
        found.retainAll(keys);
        return found;
    }

    public void insert(PendingUpload u) {
        jdbc.update("INSERT INTO pending_uploads (" + COLUMNS + ") "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", u.id(), u.imageId(), u.objectKey(),
                u.uploadKey(), u.personaId(), u.personaTitle(), u.prompt(), u.sessionId(), u.participantId(),
                u.tableId(), u.provider(), u.contentType(), u.sizeBytes(), u.contentMd5(), u.status().wire(),
                u.failureReason(), u.createdAt(), u.expiresAt(), u.updatedAt());
    }

    public Optional<PendingUpload> find(String id) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM pending_uploads WHERE id = ?", PendingUploadRepository::map,
                id);
    }

    /**
     * Takes the upload for one completion: from {@code pending}, or from {@code verifying} when its holder has been
     * silent since {@code staleBefore} (a crash mid-verification must not block the upload for ever).
     */
    public boolean claim(String id, long now, long staleBefore) {
        return jdbc.update("UPDATE pending_uploads SET status = 'verifying', updated_at = ? WHERE id = ? "
                + "AND (status = 'pending' OR (status = 'verifying' AND updated_at < ?))", now, id, staleBefore) == 1;
    }

    /** Gives a claimed upload back (nothing uploaded yet, or the store failed), so a later completion can try again. */
    public boolean release(String id, long now) {
        return jdbc.update("UPDATE pending_uploads SET status = 'pending', updated_at = ? WHERE id = ? "
                + "AND status = 'verifying'", now, id) == 1;
    }

    /** Ends an upload that will never complete: {@code rejected} (with why) or {@code expired}. */
    public boolean close(String id, PendingUpload.Status status, String reason, long now) {
        return jdbc.update("UPDATE pending_uploads SET status = ?, failure_reason = ?, updated_at = ? WHERE id = ? "
                + "AND status IN ('pending', 'verifying')", status.wire(), reason, now, id) == 1;
    }

    /**
     * Marks the upload completed and writes its image row in one transaction: either both happen or neither. False
     * when this caller no longer holds the upload (nothing is written then).
     */
    public boolean complete(String id, NewImageRow row, long now) {
        return jdbc.inTransaction(c -> {
            if (Jdbc.update(c, "UPDATE pending_uploads SET status = 'completed', updated_at = ? WHERE id = ? "
                    + "AND status = 'verifying'", now, id) != 1) {
                return false;
            }
            ImageRepository.insert(c, row);
            return true;
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
