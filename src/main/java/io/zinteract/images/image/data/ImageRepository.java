package io.zinteract.images.image.data;

import io.zinteract.images.db.Jdbc;
import io.zinteract.images.image.data.ImageTable.MigrationStatus;
import io.zinteract.images.image.data.ImageTable.Status;
import io.zinteract.images.image.data.NewImageRow.Owner;
import io.zinteract.images.image.data.NewImageRow.Placement;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for the {@code images} table (its shared columns and predicates are {@link ImageTable}'s). Blocking. */
@ApplicationScoped
public class ImageRepository {

    private static final String INSERT = "INSERT INTO images (id, session_id, participant_id, table_id, persona_id, "
            + "persona_title, image_url, image_data, image_mime_type, prompt, provider, status, r2_key, migration_status, "
            + "migrated_at, created_at, updated_at, content_type, size_bytes, sha256, storage_class) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final Jdbc jdbc;

    public ImageRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(NewImageRow row) {
        jdbc.withConnection(c -> insert(c, row));
    }

    /** The same insert on a connection the caller holds, so it can share a transaction with other writes. */
    public static int insert(Connection c, NewImageRow row) throws SQLException {
        Owner o = row.owner();
        Placement p = row.placement();
        return Jdbc.update(c, INSERT, row.id(), o.sessionId(), o.participantId(), o.tableId(), o.personaId(),
                o.personaTitle(), p.imageUrl(), p.imageData(), row.contentType(), o.prompt(), o.provider(),
                row.status().stored(), p.r2Key(), p.migrationStatus().stored(), p.migratedAt(), row.createdAt(),
                row.createdAt(), row.contentType(), row.sizeBytes(), row.sha256(), p.storageClass());
    }

    /**
     * Writes the row of an image about to be generated: who asked for what, no content yet. On a connection the caller
     * holds: the quota decision shares its transaction.
     */
    public static int insertGenerating(Connection c, NewImageRow row) throws SQLException {
        Owner o = row.owner();
        return Jdbc.update(c, "INSERT INTO images (id, session_id, participant_id, table_id, persona_id, persona_title, prompt, "
                + "provider, status, migration_status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                + Status.GENERATING.sql() + ", " + MigrationStatus.PENDING.sql() + ", ?, ?)", row.id(), o.sessionId(),
                o.participantId(), o.tableId(), o.personaId(), o.personaTitle(), o.prompt(), o.provider(),
                row.createdAt(), row.createdAt());
    }

    /** Fills a {@code generating} row with its stored image; false when the row is gone or no longer generating. */
    public boolean completeGenerating(NewImageRow row) {
        Placement p = row.placement();
        return jdbc.update("UPDATE images SET image_url = ?, image_data = ?, image_mime_type = ?, status = "
                + Status.COMPLETED.sql() + ", r2_key = ?, migration_status = ?, migrated_at = ?, updated_at = ?, "
                + "content_type = ?, size_bytes = ?, sha256 = ?, storage_class = ?, failure_reason = NULL "
                + "WHERE id = ? AND status = " + Status.GENERATING.sql(), p.imageUrl(), p.imageData(),
                row.contentType(), p.r2Key(), p.migrationStatus().stored(), p.migratedAt(),
                Instant.now().getEpochSecond(), row.contentType(), row.sizeBytes(), row.sha256(), p.storageClass(),
                row.id()) == 1;
    }

    /** Marks a {@code generating} row failed, keeping why, so the row and the answer agree. */
    public void markFailed(String id, String reason) {
        jdbc.update("UPDATE images SET status = " + Status.FAILED.sql() + ", failure_reason = ?, updated_at = ? "
                + "WHERE id = ? AND status = " + Status.GENERATING.sql(),
                reason.length() > 1000 ? reason.substring(0, 1000) : reason, Instant.now().getEpochSecond(), id);
    }

    public Optional<ImageRecord> findById(String id) {
        return jdbc.queryOne("SELECT " + ImageTable.RECORD_COLUMNS + " FROM images WHERE id = ?", ImageTable::record,
                id);
    }

    /** The base64 payload of a row, read only when it is about to be served. */
    public Optional<String> findImageData(String id) {
        return jdbc.queryOne("SELECT image_data FROM images WHERE id = ?", rs -> rs.getString(1), id);
    }

    /**
     * Newest first, keyset-paginated on {@code (created_at, id)}: a page after {@code after} never skips or repeats
     * rows however many are inserted meanwhile. Returns up to {@code limit} rows.
     */
    public List<ImageRecord> page(String personaId, String sessionId, PageCursor after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + ImageTable.RECORD_COLUMNS + " FROM images WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (personaId != null) {
            sql.append(" AND persona_id = ?");
            args.add(personaId);
        }
        if (sessionId != null) {
            sql.append(" AND session_id = ?");
            args.add(sessionId);
        }
        if (after != null) {
            sql.append(" AND (COALESCE(created_at, 0) < ? OR (COALESCE(created_at, 0) = ? AND id < ?))");
            args.add(after.createdAt());
            args.add(after.createdAt());
            args.add(after.id());
        }
        sql.append(" ORDER BY COALESCE(created_at, 0) DESC, id DESC LIMIT ?");
        args.add(limit);
        return jdbc.query(sql.toString(), ImageTable::record, args.toArray());
    }

    public boolean delete(String id) {
        return jdbc.update("DELETE FROM images WHERE id = ?", id) == 1;
    }

    /** Whether a row other than {@code id} points at {@code key}: legacy key mappings could give two rows one object. */
    public boolean keySharedWithOther(String key, String id) {
        return jdbc.queryOne(ImageTable.OTHER_KEY_OWNER, rs -> rs.getString(1), key, id).isPresent();
    }
}
