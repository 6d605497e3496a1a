package io.zinteract.images.migration.action;

import io.zinteract.images.db.Jdbc;
import io.zinteract.images.migration.job.ImageNote;
import io.zinteract.images.migration.job.Listing;
import io.zinteract.images.migration.job.WorkRow;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * SQL on the {@code images} table for the migration. Every walk is keyset-paginated on the primary key
 * ({@code WHERE id > ? ORDER BY id LIMIT ?}), so no job ever loads the table, and every write is guarded by a
 * condition on the row's current state, so a row changed by someone else meanwhile is left alone. Blocking.
 */
@ApplicationScoped
public class MigrationRepository {

    /**
     * {@code r2_key} as the walks test it: an expression no index can serve. Given {@code r2_key IS NULL}, SQLite picks
     * {@code idx_images_r2_key} and sorts every matching row by id for each page, so a migration read the whole pending
     * set once per batch (quadratic: 90 ms a page at 3,000 rows of 100 KB); this keeps every page on the primary key,
     * in id order, reading only the rows it returns (0.1 ms). PostgreSQL plans it by its statistics either way.
     */
    private static final String R2_KEY = "(r2_key || '')";
    /**
     * Whether a row holds base64, asked without reading it: {@code octet_length} comes from the record header on SQLite
     * (and from the TOAST header on PostgreSQL), where {@code image_data <> ''} or {@code length} load every character.
     */
    static final String HAS_DATA = "octet_length(image_data) > 0";
    private static final String NO_DATA = "COALESCE(octet_length(image_data), 0) = 0";
    /** Characters of base64 in a row (base64 is ASCII: bytes and characters agree), 0 when there is none. */
    static final String DATA_LENGTH = "COALESCE(octet_length(image_data), 0)";
    /** Rows whose bytes are only in the database: what migrate moves. */
    static final String PENDING = R2_KEY + " IS NULL AND " + HAS_DATA;
    /** Rows that point at an object. */
    static final String IN_R2 = R2_KEY + " IS NOT NULL";
    private static final String EXTERNAL = "(image_url LIKE 'http://%' OR image_url LIKE 'https://%')";
    /** Spelled out because {@code NOT EXTERNAL} is NULL, not true, for a NULL image_url. */
    private static final String NOT_EXTERNAL = "(image_url IS NULL OR NOT " + EXTERNAL + ")";
    private static final String WORK_COLUMNS = "id, persona_id, image_mime_type, image_url, r2_key, "
            + DATA_LENGTH + " AS base64_length, size_bytes, sha256, etag, migrated_at, content_type, created_at";

    private final Jdbc jdbc;

    public MigrationRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Totals over the whole table for {@code GET /api/migrate-images}; one pass. */
    public Map<String, Long> counts() {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), "
                    + "SUM(CASE WHEN r2_key IS NULL AND " + HAS_DATA + " THEN 1 ELSE 0 END), "
                    + "SUM(CASE WHEN r2_key IS NOT NULL AND " + NO_DATA + " THEN 1 ELSE 0 END), "
                    + "SUM(CASE WHEN r2_key IS NOT NULL AND " + HAS_DATA + " THEN 1 ELSE 0 END), "
                    + "SUM(CASE WHEN r2_key IS NULL AND " + NO_DATA + " AND " + EXTERNAL + " THEN 1 ELSE 0 END), "
                    + "SUM(CASE WHEN r2_key IS NULL AND " + NO_DATA + " AND " + NOT_EXTERNAL + " THEN 1 ELSE 0 END), "
                    + "SUM(" + DATA_LENGTH + "), "
                    + "SUM(CASE WHEN r2_key IS NOT NULL THEN COALESCE(size_bytes, 0) ELSE 0 END) FROM images");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                Map<String, Long> counts = new LinkedHashMap<>();
                String[] names = { "total", "base64Only", "r2Only", "both", "external", "none", "base64Bytes", "r2Bytes" };
                for (int i = 0; i < names.length; i++) {
                    counts.put(names[i], rs.getLong(i + 1));
                }
                return counts;
            }
        });
    }

    /** Characters of base64 still held by the database (the metrics gauge). */
    public long base64Bytes() {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT SUM(" + DATA_LENGTH + ") FROM images");
                    ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** Number of rows matching {@code condition} (one of this class's constants or built from them), within the ids. */
    public long count(String condition, List<String> imageIds) {
        return count(condition, List.of(), imageIds);
    }

    /** Like {@link #count(String, List)} for a condition with {@code ?} placeholders bound to {@code conditionArgs}. */
    public long count(String condition, List<Object> conditionArgs, List<String> imageIds) {
        StringBuilder sql = new StringBuilder("SELECT COUNT(*) FROM images WHERE ").append(condition);
        List<Object> args = new ArrayList<>(conditionArgs);
        restrict(sql, args, imageIds);
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** How the rows in scope split: counted once when a job starts, reported apart from what the job does. */
    public Map<String, Long> scope(List<String> imageIds) {
        Map<String, Long> scope = new LinkedHashMap<>();
        scope.put("pending", count(PENDING, imageIds));
        scope.put("inR2", count(IN_R2 + " AND " + NO_DATA, imageIds));
        scope.put("inR2Retained", count(IN_R2 + " AND " + HAS_DATA, imageIds));
        scope.put("external", count(R2_KEY + " IS NULL AND " + NO_DATA + " AND " + EXTERNAL, imageIds));
        scope.put("none", count(R2_KEY + " IS NULL AND " + NO_DATA + " AND " + NOT_EXTERNAL, imageIds));
        return scope;
    }

    /**
     * Up to {@code limit} rows after {@code afterId} (and through {@code throughId}, unless null) that match
     * {@code condition}, in id order.
     */
    public List<WorkRow> page(String condition, List<Object> conditionArgs, List<String> imageIds, String afterId,
            String throughId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + WORK_COLUMNS + " FROM images WHERE id > ? AND ");
        List<Object> args = new ArrayList<>();
        args.add(afterId == null ? "" : afterId);
        if (throughId != null) {
            sql.append("id <= ? AND ");
            args.add(throughId);
        }
        sql.append(condition);
        args.addAll(conditionArgs);
        restrict(sql, args, imageIds);
        sql.append(" ORDER BY id LIMIT ?");
        args.add(limit);
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bind(ps, args);
                List<WorkRow> rows = new ArrayList<>(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new WorkRow(rs.getString("id"), rs.getString("persona_id"),
                                rs.getString("image_mime_type"), rs.getString("image_url"), rs.getString("r2_key"),
                                rs.getLong("base64_length"), nullableLong(rs, "size_bytes"), rs.getString("sha256"),
                                rs.getString("etag"), nullableLong(rs, "migrated_at"), rs.getString("content_type"),
                                nullableLong(rs, "created_at")));
                    }
                }
                return rows;
            }
        });
    }

    /** The stored base64 of one row, and its r2_key as it is now. */
    public Optional<StoredData> imageData(String id) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT image_data, r2_key FROM images WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new StoredData(rs.getString(1), rs.getString(2))) : Optional.empty();
                }
            }
        });
    }

    public record StoredData(String imageData, String r2Key) {
    }

    /**
     * Points a row at its verified object. Guarded: only a row that still has no key and still holds exactly the base64
     * that was uploaded is changed, so an edit made meanwhile is never overwritten. Returns whether it was changed.
     */
    public boolean completeMigration(Connection c, Migrated m) throws SQLException {
        String sql = "UPDATE images SET r2_key = ?, etag = ?, sha256 = ?, size_bytes = ?, content_type = ?, "
                + "storage_class = ?, migration_status = 'completed', migrated_at = ?, updated_at = ?"
                + (m.publicUrl() != null ? ", original_image_url = COALESCE(image_url, ''), image_url = ?" : "")
                + (m.retainBase64() ? "" : ", image_data = NULL")
                + " WHERE id = ? AND r2_key IS NULL AND image_data = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 0;
            ps.setString(++i, m.key());
            ps.setString(++i, m.etag());
            ps.setString(++i, m.sha256());
            ps.setLong(++i, m.size());
            ps.setString(++i, m.contentType());
            ps.setString(++i, m.storageClass());
            ps.setLong(++i, m.nowSeconds());
            ps.setLong(++i, m.nowSeconds());
            if (m.publicUrl() != null) {
                ps.setString(++i, m.publicUrl());
            }
            ps.setString(++i, m.id());
            ps.setString(++i, m.base64());
            return ps.executeUpdate() == 1;
        }
    }

    public record Migrated(String id, String base64, String key, String etag, String sha256, long size,
            String contentType, String storageClass, String publicUrl, boolean retainBase64, long nowSeconds) {
    }

    /** Marks a row whose base64 cannot be migrated, so the legacy status column tells it too. */
    public void markFailed(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE images SET migration_status = 'failed' WHERE id = ? AND r2_key IS NULL")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    /**
     * Puts the bytes back into the row and detaches it from the object. Guarded on the key it had, so a row migrated
     * again meanwhile is left alone. {@code image_url} gets back what it held before the migration replaced it.
     */
    public boolean rollback(Connection c, String id, String key, String base64, String mimeType, long nowSeconds)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE images SET image_data = ?, image_mime_type = ?, "
                + "content_type = ?, r2_key = NULL, etag = NULL, storage_class = NULL, migration_status = 'rolled_back', "
                + "image_url = CASE WHEN original_image_url IS NULL THEN image_url WHEN original_image_url = '' THEN NULL "
                + "ELSE original_image_url END, original_image_url = NULL, updated_at = ? WHERE id = ? AND r2_key = ?")) {
            int i = 0;
            ps.setString(++i, base64);
            ps.setString(++i, mimeType);
            ps.setString(++i, mimeType);
            ps.setLong(++i, nowSeconds);
            ps.setString(++i, id);
            ps.setString(++i, key);
            return ps.executeUpdate() == 1;
        }
    }

    /** Clears retained base64 of a migrated row; guarded on the key and on the very base64 that was checked. */
    public boolean purge(Connection c, String id, String key, String base64, long nowSeconds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE images SET image_data = NULL, updated_at = ? "
                + "WHERE id = ? AND r2_key = ? AND image_data = ?")) {
            ps.setLong(1, nowSeconds);
            ps.setString(2, id);
            ps.setString(3, key);
            ps.setString(4, base64);
            return ps.executeUpdate() == 1;
        }
    }

    /** Another row than {@code id} that points at {@code key}, if any: that key can never be this row's too. */
    public Optional<String> keyOwner(String key, String id) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM images WHERE r2_key = ? AND id <> ? LIMIT 1")) {
                ps.setString(1, key);
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Key conflicts as validate reports them: rows that share one {@code r2_key} (left by key mappings older than
     * the injective one), and rows whose last migration failed because their key held another image's object.
     */
    public Listing<ImageNote> keyConflicts(int bound) {
        Listing<ImageNote> found = new Listing<>();
        jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, r2_key FROM images WHERE r2_key IN "
                    + "(SELECT r2_key FROM images WHERE r2_key IS NOT NULL GROUP BY r2_key HAVING COUNT(*) > 1) ORDER BY r2_key, id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new ImageNote(rs.getString(1), "shares object key " + rs.getString(2)
                            + " with another row"), bound);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT f.image_id, MAX(f.error) FROM migration_failures f "
                    + "JOIN images i ON i.id = f.image_id WHERE i.r2_key IS NULL AND i.migration_status = 'failed' "
                    + "AND f.error LIKE ? GROUP BY f.image_id ORDER BY f.image_id")) {
                ps.setString(1, io.zinteract.images.storage.ObjectKeyConflictException.PREFIX + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(new ImageNote(rs.getString(1), rs.getString(2)), bound);
                    }
                }
            }
            return null;
        });
        return found;
    }

    /** Of {@code keys}, those that some row points at. */
    public Set<String> referencedKeys(List<String> keys) {
        if (keys.isEmpty()) {
            return Set.of();
        }
        String marks = String.join(", ", java.util.Collections.nCopies(keys.size(), "?"));
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT r2_key FROM images WHERE r2_key IN (" + marks + ")")) {
                bind(ps, new ArrayList<>(keys));
                Set<String> found = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getString(1));
                    }
                }
                return found;
            }
        });
    }

    private static void restrict(StringBuilder sql, List<Object> args, List<String> imageIds) {
        if (imageIds != null && !imageIds.isEmpty()) {
            sql.append(" AND id IN (").append(String.join(", ", java.util.Collections.nCopies(imageIds.size(), "?")))
                    .append(")");
            args.addAll(imageIds);
        }
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object arg = args.get(i);
            if (arg == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else {
                ps.setObject(i + 1, arg);
            }
        }
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
