package io.zinteract.images.image.data;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The {@code images} table as every repository that touches it sees it ({@link ImageRepository} for the API, the
 * migration's and re-tiering's repositories for their walks): the columns of an {@link ImageRecord}, the values of
 * its status columns, and the one definition of each predicate ("stored in R2", "holds base64", "external"). The
 * table is the legacy app's, so any optional column may be NULL or empty, and the fragments below say which is which.
 */
public final class ImageTable {

    /**
     * A row whose bytes are in R2: an {@code r2_key} that is neither NULL nor empty (the same test as
     * {@link #inR2(String)}). Written as an expression no index can serve, on purpose: given {@code r2_key IS NULL},
     * SQLite picks {@code idx_images_r2_key} and sorts every matching row by id for each page, so a migration read the
     * whole pending set once per batch (quadratic: 90 ms a page at 3,000 rows of 100 KB); this keeps every keyset page
     * on the primary key, reading only the rows it returns (0.1 ms). PostgreSQL plans it by its statistics either way.
     */
    public static final String IN_R2 = "COALESCE(r2_key, '') <> ''";
    /** The opposite of {@link #IN_R2}: no key, or an empty one. */
    public static final String NOT_IN_R2 = "COALESCE(r2_key, '') = ''";
    /**
     * Whether a row holds base64, asked without reading it: {@code octet_length} comes from the record header on SQLite
     * (and from the TOAST header on PostgreSQL), where {@code image_data <> ''} or {@code length} load every character.
     */
    public static final String HAS_DATA = "octet_length(image_data) > 0";
    /** Characters of base64 in a row (base64 is ASCII: bytes and characters agree), 0 when there is none. */
    public static final String DATA_LENGTH = "COALESCE(octet_length(image_data), 0)";
    public static final String NO_DATA = DATA_LENGTH + " = 0";
    /** An {@code image_url} elsewhere on the web (the provider's), as {@link ImageRecord#hasExternalUrl()} tells it. */
    public static final String EXTERNAL = "(image_url LIKE 'http://%' OR image_url LIKE 'https://%')";
    /** Spelled out because {@code NOT EXTERNAL} is NULL, not true, for a NULL image_url. */
    public static final String NOT_EXTERNAL = "(image_url IS NULL OR NOT " + EXTERNAL + ")";

    /** Another row than the second argument's id that points at the first argument's key. */
    public static final String OTHER_KEY_OWNER = "SELECT id FROM images WHERE r2_key = ? AND id <> ? LIMIT 1";

    /** The columns of an {@link ImageRecord}: all but the base64 payload, of which only its length. */
    static final String RECORD_COLUMNS = "id, session_id, participant_id, table_id, persona_id, persona_title, "
            + "image_url, image_mime_type, prompt, provider, status, r2_key, migration_status, migrated_at, created_at, "
            + "updated_at, content_type, size_bytes, sha256, storage_class, thumbhash, " + DATA_LENGTH + " AS base64_length";

    private ImageTable() {
    }

    /** A value of one of the table's status columns, stored as its lower-case name. */
    public interface Stored {

        String name();

        /** The value as the column holds it. */
        default String stored() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The value as a SQL string literal, for statements that set or test a fixed status. */
        default String sql() {
            return "'" + stored() + "'";
        }
    }

    /** Values this service writes to {@code status}; legacy rows may hold others, so rows are read as text. */
    public enum Status implements Stored {
        GENERATING, COMPLETED, FAILED
    }

    /** Values this service writes to {@code migration_status} (legacy default: {@code pending}). */
    public enum MigrationStatus implements Stored {
        PENDING, COMPLETED, FAILED, ROLLED_BACK
    }

    /** The Java side of {@link #IN_R2}: whether a row's {@code r2_key} names an object. */
    public static boolean inR2(String r2Key) {
        return r2Key != null && !r2Key.isEmpty();
    }

    /** A nullable BIGINT column. */
    public static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    /** One row selected with {@link #RECORD_COLUMNS}. */
    static ImageRecord record(ResultSet rs) throws SQLException {
        return new ImageRecord(rs.getString("id"), rs.getString("session_id"), rs.getString("participant_id"),
                rs.getString("table_id"), rs.getString("persona_id"), rs.getString("persona_title"),
                rs.getString("image_url"), rs.getString("image_mime_type"), rs.getString("prompt"),
                rs.getString("provider"), rs.getString("status"), rs.getString("r2_key"),
                rs.getString("migration_status"), longOrNull(rs, "migrated_at"), longOrNull(rs, "created_at"),
                longOrNull(rs, "updated_at"), rs.getString("content_type"), longOrNull(rs, "size_bytes"),
                rs.getString("sha256"), rs.getString("storage_class"), rs.getLong("base64_length"),
                rs.getString("thumbhash"));
    }
}
