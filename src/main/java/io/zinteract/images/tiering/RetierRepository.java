package io.zinteract.images.tiering;

import io.zinteract.images.db.Jdbc;
import io.zinteract.images.image.data.ImageTable;
import io.zinteract.images.storage.StorageClassPolicy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * SQL for re-tiering: which R2 images created before a time are not yet in a storage class, and recording the class
 * once the object has moved. A row without {@code storage_class} was written with the bucket's default, STANDARD.
 */
@ApplicationScoped
public class RetierRepository {

    private static final String MATCH = " FROM images WHERE " + ImageTable.IN_R2 + " AND created_at <= ? "
            + "AND COALESCE(storage_class, '" + StorageClassPolicy.STANDARD + "') <> ?";

    private final Jdbc jdbc;

    public RetierRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** An image whose object is to move. */
    public record Candidate(String id, String r2Key) {
    }

    public long count(long createdBefore, String storageClass) {
        return jdbc.queryOne("SELECT COUNT(*)" + MATCH, rs -> rs.getLong(1), createdBefore, storageClass).orElse(0L);
    }

    /** Oldest first, so repeated calls with a limit work through the backlog in a stable order. */
    public List<Candidate> candidates(long createdBefore, String storageClass, int limit) {
        return jdbc.query("SELECT id, r2_key" + MATCH + " ORDER BY created_at, id LIMIT ?",
                rs -> new Candidate(rs.getString(1), rs.getString(2)), createdBefore, storageClass, limit);
    }

    /** Records the new class, unless the row meanwhile points at another object (then false). */
    public boolean recordStorageClass(Candidate candidate, String storageClass, long now) {
        return jdbc.update("UPDATE images SET storage_class = ?, updated_at = ? WHERE id = ? AND r2_key = ?",
                storageClass, now, candidate.id(), candidate.r2Key()) == 1;
    }
}
