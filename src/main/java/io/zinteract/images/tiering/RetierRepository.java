package io.zinteract.images.tiering;

import io.zinteract.images.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL for re-tiering: which R2 images created before a time are not yet in a storage class, and recording the class
 * once the object has moved. A row without {@code storage_class} was written with the bucket's default, STANDARD.
 */
@ApplicationScoped
public class RetierRepository {

    private static final String MATCH = " FROM images WHERE r2_key IS NOT NULL AND r2_key <> '' AND created_at <= ? "
            + "AND COALESCE(storage_class, 'STANDARD') <> ?";

    private final Jdbc jdbc;

    public RetierRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** An image whose object is to move. */
    public record Candidate(String id, String r2Key) {
    }

    public long count(long createdBefore, String storageClass) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*)" + MATCH)) {
                ps.setLong(1, createdBefore);
                ps.setString(2, storageClass);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Oldest first, so repeated calls with a limit work through the backlog in a stable order. */
    public List<Candidate> candidates(long createdBefore, String storageClass, int limit) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, r2_key" + MATCH + " ORDER BY created_at, id LIMIT ?")) {
                ps.setLong(1, createdBefore);
                ps.setString(2, storageClass);
                ps.setInt(3, limit);
                List<Candidate> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Candidate(rs.getString(1), rs.getString(2)));
                    }
                }
                return rows;
            }
        });
    }

    /** Records the new class, unless the row meanwhile points at another object (then false). */
    public boolean recordStorageClass(Candidate candidate, String storageClass, long now) {
        return jdbc.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE images SET storage_class = ?, updated_at = ? WHERE id = ? AND r2_key = ?")) {
                ps.setString(1, storageClass);
                ps.setLong(2, now);
                ps.setString(3, candidate.id());
                ps.setString(4, candidate.r2Key());
                return ps.executeUpdate() == 1;
            }
        });
    }
}
