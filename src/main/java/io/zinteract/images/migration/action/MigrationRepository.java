package io.zinteract.images.migration.action;

import io.zinteract.images.db.Jdbc;
import io.zinteract.images.migration.job.ImageNote;
import io.zinteract.images.migration.job.Listing;
import io.zinteract.images.migration.job.WorkRow;
import io.zinteract.images.image.data.ImageTable;
import io.zinteract.images.image.data.ImageTable.MigrationStatus;
import io.zinteract.images.storage.ObjectKeyConflictException;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * SQL on the {@code images} table for the migration, with the table's predicates from {@link ImageTable}. Every walk is
 * keyset-paginated on the primary key ({@code WHERE id > ? ORDER BY id LIMIT ?}), so no job ever loads the table, and
 * every write is guarded by a condition on the row's current state, so a row changed by someone else meanwhile is left
 * alone. Blocking.
 */
@ApplicationScoped
public class MigrationRepository {

    static final String HAS_DATA = ImageTable.HAS_DATA;
    /** Rows whose bytes are only in the database: what migrate moves. */
    static final String PENDING = ImageTable.NOT_IN_R2 + " AND " + HAS_DATA;
    /** Rows that point at an object. */
    static final String IN_R2 = ImageTable.IN_R2;
    private static final String NOT_IN_R2 = ImageTable.NOT_IN_R2;
    private static final String NO_DATA = ImageTable.NO_DATA;
    private static final String WORK_COLUMNS = "id, persona_id, image_mime_type, image_url, r2_key, "
            + ImageTable.DATA_LENGTH + " AS base64_length, size_bytes, sha256, etag, migrated_at, content_type, created_at";
    /** How the rows split, each part defined once for {@link #counts()} and {@link #scope(List)}. */
    private static final Map<String, String> SPLIT = splits();

    private final Jdbc jdbc;

    public MigrationRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    private static Map<String, String> splits() {
        Map<String, String> split = new LinkedHashMap<>();
        split.put("pending", PENDING);
        split.put("inR2", IN_R2 + " AND " + NO_DATA);
        split.put("inR2Retained", IN_R2 + " AND " + HAS_DATA);
        split.put("external", NOT_IN_R2 + " AND " + NO_DATA + " AND " + ImageTable.EXTERNAL);
        split.put("none", NOT_IN_R2 + " AND " + NO_DATA + " AND " + ImageTable.NOT_EXTERNAL);
        return split;
    }

    /** Totals over the whole table for {@code GET /api/migrate-images}; one pass. */
    public Map<String, Long> counts() {
        String[] names = { "total", "base64Only", "r2Only", "both", "external", "none", "base64Bytes", "r2Bytes" };
        StringBuilder sql = new StringBuilder("SELECT COUNT(*)");
        SPLIT.values().forEach(condition -> sql.append(", SUM(CASE WHEN ").append(condition).append(" THEN 1 ELSE 0 END)"));
        sql.append(", SUM(" + ImageTable.DATA_LENGTH + "), SUM(CASE WHEN " + IN_R2
                + " THEN COALESCE(size_bytes, 0) ELSE 0 END) FROM images");
        return jdbc.queryOne(sql.toString(), rs -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                counts.put(names[i], rs.getLong(i + 1));
            }
            return counts;
        }).orElseThrow();
    }

    /** Characters of base64 still held by the database (the metrics gauge). */
    public long base64Bytes() {
        return jdbc.queryOne("SELECT SUM(" + ImageTable.DATA_LENGTH + ") FROM images", rs -> rs.getLong(1)).orElse(0L);
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
        return jdbc.queryOne(sql.toString(), rs -> rs.getLong(1), args.toArray()).orElse(0L);
    }

    /** How the rows in scope split: counted once when a job starts, reported apart from what the job does. */
    public Map<String, Long> scope(List<String> imageIds) {
        Map<String, Long> scope = new LinkedHashMap<>();
        SPLIT.forEach((name, condition) -> scope.put(name, count(condition, imageIds)));
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
        return jdbc.query(sql.toString(), WorkRow::of, args.toArray());
    }

    /**
     * The stored base64 of one row, and its r2_key as it is now ({@code r2Key} null when the row has no object, also
     * when the legacy column holds an empty string).
     */
    public Optional<StoredData> imageData(String id) {
        return jdbc.queryOne("SELECT image_data, r2_key FROM images WHERE id = ?", rs -> {
            String key = rs.getString(2);
            return new StoredData(rs.getString(1), ImageTable.inR2(key) ? key : null);
        }, id);
    }

    public record StoredData(String imageData, String r2Key) {
    }

    /**
     * Like {@link #imageData} with the base64 as the driver returns its text's bytes (UTF-8, so ASCII for base64): they
     * can be decoded as they are, without the copy that decoding a String makes.
     */
    public Optional<StoredBytes> imageDataBytes(String id) {
        return jdbc.queryOne("SELECT image_data, r2_key FROM images WHERE id = ?", rs -> {
            String key = rs.getString(2);
            return new StoredBytes(rs.getBytes(1), ImageTable.inR2(key) ? key : null);
        }, id);
    }

    public record StoredBytes(byte[] imageData, String r2Key) {
    }

    /**
     * Points a row at its verified object. Guarded: only a row that still has no key and still holds exactly the base64
     * that was uploaded is changed, so an edit made meanwhile is never overwritten. Returns whether it was changed.
     */
    public boolean completeMigration(Connection c, Migrated m) throws SQLException {
        List<Object> args = new ArrayList<>(Arrays.asList(m.key(), m.etag(), m.sha256(), m.size(), m.contentType(),
                m.storageClass(), m.nowSeconds(), m.nowSeconds()));
        if (m.publicUrl() != null) {
            args.add(m.publicUrl());
        }
        args.add(m.id());
        args.add(m.base64());
        return Jdbc.update(c, "UPDATE images SET r2_key = ?, etag = ?, sha256 = ?, size_bytes = ?, content_type = ?, "
                + "storage_class = ?, migration_status = " + MigrationStatus.COMPLETED.sql() + ", migrated_at = ?, "
                + "updated_at = ?"
                + (m.publicUrl() != null ? ", original_image_url = COALESCE(image_url, ''), image_url = ?" : "")
                + (m.retainBase64() ? "" : ", image_data = NULL")
                + " WHERE id = ? AND " + NOT_IN_R2 + " AND image_data = ?", args.toArray()) == 1;
    }

    public record Migrated(String id, String base64, String key, String etag, String sha256, long size,
            String contentType, String storageClass, String publicUrl, boolean retainBase64, long nowSeconds) {
        /** The same change, made at {@code seconds}: the time of the transaction that commits it. */
        public Migrated at(long seconds) {
            return new Migrated(id, base64, key, etag, sha256, size, contentType, storageClass, publicUrl, retainBase64,
                    seconds);
        }
    }

    /** Marks a row whose base64 cannot be migrated, so the legacy status column tells it too. */
    public void markFailed(Connection c, String id) throws SQLException {
        Jdbc.update(c, "UPDATE images SET migration_status = " + MigrationStatus.FAILED.sql() + " WHERE id = ? AND "
                + NOT_IN_R2, id);
    }

    /**
     * Puts the bytes back into the row and detaches it from the object. Guarded on the key it had, so a row migrated
     * again meanwhile is left alone. {@code image_url} gets back what it held before the migration replaced it.
     */
    public boolean rollback(Connection c, String id, String key, String base64, String mimeType, long nowSeconds)
            throws SQLException {
        return Jdbc.update(c, "UPDATE images SET image_data = ?, image_mime_type = ?, content_type = ?, r2_key = NULL, "
                + "etag = NULL, storage_class = NULL, migration_status = " + MigrationStatus.ROLLED_BACK.sql() + ", "
                + "image_url = CASE WHEN original_image_url IS NULL THEN image_url WHEN original_image_url = '' THEN NULL "
                + "ELSE original_image_url END, original_image_url = NULL, updated_at = ? WHERE id = ? AND r2_key = ?",
                base64, mimeType, mimeType, nowSeconds, id, key) == 1;
    }

    /** Clears retained base64 of a migrated row; guarded on the key and on the very base64 that was checked. */
    public boolean purge(Connection c, String id, String key, String base64, long nowSeconds) throws SQLException {
        return Jdbc.update(c, "UPDATE images SET image_data = NULL, updated_at = ? WHERE id = ? AND r2_key = ? "
                + "AND image_data = ?", nowSeconds, id, key, base64) == 1;
    }

    /** Another row than {@code id} that points at {@code key}, if any: that key can never be this row's too. */
    public Optional<String> keyOwner(String key, String id) {
        return jdbc.queryOne(ImageTable.OTHER_KEY_OWNER, rs -> rs.getString(1), key, id);
    }

    /**
     * Key conflicts as validate reports them: rows that share one {@code r2_key} (left by key mappings older than
     * the injective one), and rows whose last migration failed because their key held another image's object.
     */
    public Listing<ImageNote> keyConflicts(int bound) {
        Listing<ImageNote> found = new Listing<>();
        jdbc.withConnection(c -> {
            Jdbc.query(c, "SELECT id, r2_key FROM images WHERE r2_key IN (SELECT r2_key FROM images WHERE " + IN_R2
                    + " GROUP BY r2_key HAVING COUNT(*) > 1) ORDER BY r2_key, id", rs -> new ImageNote(rs.getString(1),
                    "shares object key " + rs.getString(2) + " with another row")).forEach(note -> found.add(note, bound));
            Jdbc.query(c, "SELECT f.image_id, MAX(f.error) FROM migration_failures f JOIN images i ON i.id = f.image_id "
                    + "WHERE " + NOT_IN_R2 + " AND i.migration_status = " + MigrationStatus.FAILED.sql()
                    + " AND f.error LIKE ? GROUP BY f.image_id ORDER BY f.image_id",
                    rs -> new ImageNote(rs.getString(1), rs.getString(2)), ObjectKeyConflictException.PREFIX + "%")
                    .forEach(note -> found.add(note, bound));
            return null;
        });
        return found;
    }

    /** Of {@code keys}, those that some row points at. */
    public Set<String> referencedKeys(List<String> keys) {
        if (keys.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.query("SELECT r2_key FROM images WHERE r2_key IN (" + marks(keys.size()) + ")",
                rs -> rs.getString(1), keys.toArray()));
    }

    /** Of {@code ids}, those of images that point at an object. */
    public Set<String> inR2(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.query("SELECT id FROM images WHERE id IN (" + marks(ids.size()) + ") AND " + IN_R2,
                rs -> rs.getString(1), ids.toArray()));
    }

    /**
     * Up to {@code limit} {@code image_variants} rows after {@code afterKey} in key order whose image is gone or no
     * longer in R2: a variant is derived from an object its image points at. Reads only; the variant package owns the
     * table and deletes from it.
     */
    public List<StaleVariant> staleVariants(String afterKey, int limit) {
        return jdbc.query("SELECT v.image_id, v.preset, v.format, v.r2_key FROM image_variants v WHERE v.r2_key > ? "
                + "AND NOT EXISTS (SELECT 1 FROM images i WHERE i.id = v.image_id AND "
                + IN_R2.replace("r2_key", "i.r2_key") + ") ORDER BY v.r2_key LIMIT ?",
                rs -> new StaleVariant(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                afterKey == null ? "" : afterKey, limit);
    }

    public record StaleVariant(String imageId, String preset, String format, String r2Key) {
    }

    private static void restrict(StringBuilder sql, List<Object> args, List<String> imageIds) {
        if (imageIds != null && !imageIds.isEmpty()) {
            sql.append(" AND id IN (").append(marks(imageIds.size())).append(")");
            args.addAll(imageIds);
        }
    }

    private static String marks(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }
}
