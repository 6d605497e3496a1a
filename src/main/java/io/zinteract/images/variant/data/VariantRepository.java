package io.zinteract.images.variant.data;

import io.zinteract.images.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** SQL for {@code image_variants} and the images' {@code thumbhash} column. Blocking. */
@ApplicationScoped
public class VariantRepository {

    private static final String COLUMNS = "image_id, preset, format, width, height, bytes, sha256, alpha, r2_key, created_at";

    private final Jdbc jdbc;

    public VariantRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<VariantRecord> find(String imageId, String preset, String format) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM image_variants WHERE image_id = ? AND preset = ? AND format = ?",
                VariantRepository::record, imageId, preset, format);
    }

    public List<VariantRecord> ofImage(String imageId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM image_variants WHERE image_id = ? ORDER BY preset, format",
                VariantRepository::record, imageId);
    }

    /** The variant whose object is {@code key}, if any: how the orphan cleanup tells a kept variant from debris. */
    public Optional<VariantRecord> findByKey(String key) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM image_variants WHERE r2_key = ?", VariantRepository::record,
                key);
    }

    /** What became of a variant's row. */
    public enum Insert { INSERTED, ALREADY_THERE, IMAGE_CHANGED }

    /**
     * Records a variant whose object is in the bucket, provided its image is still stored under {@code originalKey}
     * (not deleted, rolled back or re-keyed meanwhile: then the caller deletes the object it just wrote). A variant
     * another replica or request recorded first is the same object under the same key: nothing to undo.
     */
    public Insert insert(VariantRecord v, String originalKey) {
        try {
            int inserted = jdbc.update("INSERT INTO image_variants (" + COLUMNS + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                    + "WHERE EXISTS (SELECT 1 FROM images WHERE id = ? AND r2_key = ?)", v.imageId(), v.preset(),
                    v.format(), v.width(), v.height(), v.bytes(), v.sha256(), v.alpha() ? 1 : 0, v.r2Key(),
                    v.createdAt(), v.imageId(), originalKey);
            return inserted == 1 ? Insert.INSERTED : Insert.IMAGE_CHANGED;
        } catch (Jdbc.DataAccessException e) {
            if (find(v.imageId(), v.preset(), v.format()).isPresent()) {
                return Insert.ALREADY_THERE;
            }
            throw e;
        }
    }

    public boolean delete(String imageId, String preset, String format) {
        return jdbc.update("DELETE FROM image_variants WHERE image_id = ? AND preset = ? AND format = ?", imageId,
                preset, format) == 1;
    }

    /** Sets the image's placeholder once; a placeholder already there (made by another replica) stays. */
    public void setThumbHash(String imageId, String thumbHash) {
        jdbc.update("UPDATE images SET thumbhash = ? WHERE id = ? AND thumbhash IS NULL", thumbHash, imageId);
    }

    static VariantRecord record(ResultSet rs) throws SQLException {
        return new VariantRecord(rs.getString("image_id"), rs.getString("preset"), rs.getString("format"),
                rs.getInt("width"), rs.getInt("height"), rs.getLong("bytes"), rs.getString("sha256"),
                rs.getInt("alpha") != 0, rs.getString("r2_key"), rs.getLong("created_at"));
    }
}
