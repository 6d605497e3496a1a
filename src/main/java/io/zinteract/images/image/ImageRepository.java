package io.zinteract.images.image;

import io.zinteract.images.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for the {@code images} table. Blocking: call from a worker thread. */
@ApplicationScoped
public class ImageRepository {

    static final String COLUMNS = "id, session_id, participant_id, table_id, persona_id, persona_title, image_url, "
            + "image_mime_type, prompt, provider, status, r2_key, migration_status, migrated_at, created_at, updated_at, "
            + "content_type, size_bytes, sha256, storage_class, COALESCE(octet_length(image_data), 0) AS base64_length";

    private final Jdbc jdbc;

    public ImageRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(NewImageRow row) {
        jdbc.withConnection(c -> insert(c, row));
    }

    /** The same insert on a connection the caller holds, so it can share a transaction with other writes. */
    public static int insert(Connection c, NewImageRow row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO images (id, session_id, participant_id, table_id, "
                + "persona_id, persona_title, image_url, image_data, image_mime_type, prompt, provider, status, r2_key, "
                + "migration_status, migrated_at, created_at, updated_at, content_type, size_bytes, sha256, storage_class) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int i = bindOwner(ps, row);
            ps.setString(++i, row.imageUrl());
            ps.setString(++i, row.imageData());
            ps.setString(++i, row.imageMimeType());
            ps.setString(++i, row.prompt());
            ps.setString(++i, row.provider());
            ps.setString(++i, row.status());
            ps.setString(++i, row.r2Key());
            ps.setString(++i, row.migrationStatus());
            setLong(ps, ++i, row.migratedAt());
            ps.setLong(++i, row.createdAt());
            ps.setLong(++i, row.createdAt());
            ps.setString(++i, row.contentType());
            ps.setLong(++i, row.sizeBytes());
            ps.setString(++i, row.sha256());
            ps.setString(++i, row.storageClass());
            return ps.executeUpdate();
        }
    }

    /** Writes the row of an image about to be generated: who asked for what, no content yet. */
    public void insertGenerating(NewImageRow row) {
        jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO images (id, session_id, participant_id, table_id, "
                    + "persona_id, persona_title, prompt, provider, status, migration_status, created_at, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'generating', 'pending', ?, ?)")) {
                int i = bindOwner(ps, row);
                ps.setString(++i, row.prompt());
                ps.setString(++i, row.provider());
                ps.setLong(++i, row.createdAt());
                ps.setLong(++i, row.createdAt());
                return ps.executeUpdate();
            }
        });
    }

    /** Fills a {@code generating} row with its stored image; false when the row is gone or no longer generating. */
    public boolean completeGenerating(NewImageRow row) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE images SET image_url = ?, image_data = ?, "
                    + "image_mime_type = ?, status = 'completed', r2_key = ?, migration_status = ?, migrated_at = ?, "
                    + "updated_at = ?, content_type = ?, size_bytes = ?, sha256 = ?, storage_class = ?, failure_reason = NULL "
                    + "WHERE id = ? AND status = 'generating'")) {
                int i = 0;
                ps.setString(++i, row.imageUrl());
                ps.setString(++i, row.imageData());
                ps.setString(++i, row.imageMimeType());
                ps.setString(++i, row.r2Key());
                ps.setString(++i, row.migrationStatus());
                setLong(ps, ++i, row.migratedAt());
                ps.setLong(++i, java.time.Instant.now().getEpochSecond());
                ps.setString(++i, row.contentType());
                ps.setLong(++i, row.sizeBytes());
                ps.setString(++i, row.sha256());
                ps.setString(++i, row.storageClass());
                ps.setString(++i, row.id());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Marks a {@code generating} row failed, keeping why, so the row and the answer agree. */
    public void markFailed(String id, String reason) {
        jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE images SET status = 'failed', failure_reason = ?, "
                    + "updated_at = ? WHERE id = ? AND status = 'generating'")) {
                ps.setString(1, reason.length() > 1000 ? reason.substring(0, 1000) : reason);
                ps.setLong(2, java.time.Instant.now().getEpochSecond());
                ps.setString(3, id);
                return ps.executeUpdate();
            }
        });
    }

    public Optional<ImageRecord> findById(String id) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM images WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(map(rs)) : Optional.empty();
                }
            }
        });
    }

    /** The base64 payload of a row, read only when it is about to be served. */
    public Optional<String> findImageData(String id) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT image_data FROM images WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Newest first, keyset-paginated on {@code (created_at, id)}: a page after {@code after} never skips or repeats
     * rows however many are inserted meanwhile. Returns up to {@code limit} rows.
     */
    public List<ImageRecord> page(String personaId, String sessionId, PageCursor after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM images WHERE 1 = 1");
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
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                List<ImageRecord> rows = new ArrayList<>(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(map(rs));
                    }
                }
                return rows;
            }
        });
    }

    public boolean delete(String id) {
        return jdbc.withConnection(c -> delete(c, id));
    }

    /** Whether a row other than {@code id} points at {@code key}: legacy key mappings could give two rows one object. */
    public boolean keySharedWithOther(String key, String id) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM images WHERE r2_key = ? AND id <> ? LIMIT 1")) {
                ps.setString(1, key);
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    static boolean delete(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM images WHERE id = ?")) {
            ps.setString(1, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Binds id, session, participant, table, persona and title, the leading columns of both inserts; returns 6. */
    private static int bindOwner(PreparedStatement ps, NewImageRow row) throws SQLException {
        ps.setString(1, row.id());
        ps.setString(2, row.sessionId());
        ps.setString(3, row.participantId());
        ps.setString(4, row.tableId());
        ps.setString(5, row.personaId());
        ps.setString(6, row.personaTitle());
        return 6;
    }

    static ImageRecord map(ResultSet rs) throws SQLException {
        return new ImageRecord(rs.getString("id"), rs.getString("session_id"), rs.getString("participant_id"),
                rs.getString("table_id"), rs.getString("persona_id"), rs.getString("persona_title"),
                rs.getString("image_url"), rs.getString("image_mime_type"), rs.getString("prompt"),
                rs.getString("provider"), rs.getString("status"), rs.getString("r2_key"),
                rs.getString("migration_status"), getLong(rs, "migrated_at"), getLong(rs, "created_at"),
                getLong(rs, "updated_at"), rs.getString("content_type"), getLong(rs, "size_bytes"),
                rs.getString("sha256"), rs.getString("storage_class"), rs.getLong("base64_length"));
    }

    static Long getLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }
}
