package io.zinteract.images.migration;


import io.zinteract.images.support.TestImages;
import javax.sql.DataSource;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A legacy z-interact table written the way the old app wrote it (plain JDBC, legacy columns only), with every kind
 * of row the migration meets, and what each row should become.
 */
final class LegacyRows {

    static final String[] PERSONAS = { "baby-boomer", "gen-x", "millennial", "gen-z", "gen-alpha" };

    /** A row with an image: its id, persona, the base64 as stored, the true bytes and type, and what was declared. */
    record Valid(String id, String persona, String stored, byte[] bytes, String mime, String ext, String declared,
            String externalUrl, boolean dataUrl) {
        String key() {
            return "images/" + persona + "/" + id + "." + ext;
        }

        boolean mismatch() {
            return !declared.equals(mime);
        }
    }

    final Map<String, Valid> valid = new LinkedHashMap<>();
    final List<String> corrupt = new ArrayList<>();
    final List<String> external = new ArrayList<>();
    final List<String> none = new ArrayList<>();

    private final DataSource db;
    private int n;

    LegacyRows(DataSource db) {
        this.db = db;
    }

    /** Empties the images, variants and job tables; the bucket is emptied by the caller. */
    static void clear(DataSource db) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of("images", "image_variants", "migration_job_items", "migration_failures",
                    "migration_jobs")) {
                s.executeUpdate("DELETE FROM " + table);
            }
        }
    }

    LegacyRows png(int count, String declared) throws SQLException {
        for (int i = 0; i < count; i++) {
            byte[] bytes = TestImages.png(8 + (n % 9), 8 + (n % 5), n);
            add(bytes, "image/png", "png", declared, null, false);
        }
        return this;
    }

    LegacyRows jpeg(int count, String declared, boolean withExternalUrl) throws SQLException {
        for (int i = 0; i < count; i++) {
            byte[] bytes = TestImages.jpeg(8 + (n % 7), 8 + (n % 3), n);
            add(bytes, "image/jpeg", "jpg", declared, withExternalUrl ? "https://oaidalle.example.test/" + n + ".png" : null, false);
        }
        return this;
    }

    LegacyRows webp(int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            add(TestImages.webp(100 + n, n), "image/webp", "webp", "image/webp", null, false);
        }
        return this;
    }

    /** One row holding exactly {@code bytes}; answers its id. */
    String raw(byte[] bytes, String mime, String ext) throws SQLException {
        add(bytes, mime, ext, mime, null, false);
        return validList().stream().filter(v -> v.bytes() == bytes).findFirst().orElseThrow().id();
    }

    LegacyRows dataUrls(int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            add(TestImages.png(9, 9, 1000 + n), "image/png", "png", "image/png", null, true);
        }
        return this;
    }

    /** Base64 that does not decode, base64 of text, base64 of random bytes: none is an image. */
    LegacyRows corrupt(int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            String data = switch (i % 3) {
                case 0 -> "iVBORw0KGgo!!not*base64";
                case 1 -> Base64.getEncoder().encodeToString(("just some text " + i).getBytes());
                default -> Base64.getEncoder().encodeToString(new java.util.Random(i).ints(64, 0, 256)
                        .collect(java.io.ByteArrayOutputStream::new, java.io.ByteArrayOutputStream::write,
                                (a, b) -> a.write(b.toByteArray(), 0, b.size())).toByteArray());
            };
            corrupt.add(insert(data, "image/png", null, "completed"));
        }
        return this;
    }

    LegacyRows external(int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            external.add(insert(null, null, "https://cdn.openai.example.test/img-" + n + ".png", "completed"));
        }
        return this;
    }

    /** Failed generations: neither bytes nor URL. */
    LegacyRows none(int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            none.add(insert(null, null, null, "failed"));
        }
        return this;
    }

    private void add(byte[] bytes, String mime, String ext, String declared, String url, boolean dataUrl)
            throws SQLException {
        String base64 = Base64.getEncoder().encodeToString(bytes);
        String stored = dataUrl ? "data:" + mime + ";base64," + base64 : base64;
        String persona = PERSONAS[n % PERSONAS.length];
        String id = insert(stored, declared, url, "completed");
        valid.put(id, new Valid(id, persona, stored, bytes, mime, ext, declared, url, dataUrl));
    }

    private String insert(String data, String mime, String url, String status) throws SQLException {
        String id = UUID.randomUUID().toString();
        String persona = PERSONAS[n % PERSONAS.length];
        n++;
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO images (id, "
                + "session_id, persona_id, persona_title, image_url, image_data, image_mime_type, prompt, provider, "
                + "status, migration_status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, "session-" + (n % 7));
            ps.setString(3, persona);
            ps.setString(4, persona.toUpperCase());
            ps.setString(5, url);
            ps.setString(6, data);
            ps.setString(7, mime);
            ps.setString(8, "portrait " + n);
            ps.setString(9, "openai");
            ps.setString(10, status);
            ps.setLong(11, 1_700_000_000L + n);
            ps.setLong(12, 1_700_000_000L + n);
            ps.executeUpdate();
        }
        return id;
    }

    List<Valid> validList() {
        return new ArrayList<>(valid.values());
    }

    /** SHA-256 over every column of every row, per id: equal maps mean nothing in the table changed. */
    static Map<String, String> rowHashes(DataSource db) throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM images ORDER BY id")) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    sha.update((meta.getColumnName(i) + "=" + rs.getString(i) + "\u0000").getBytes());
                }
                hashes.put(rs.getString("id"), HexFormat.of().formatHex(sha.digest()));
            }
        }
        return hashes;
    }

    /** One row as column name to value. */
    static Map<String, Object> row(DataSource db, String id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT * FROM images WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                }
                return row;
            }
        }
    }

    static long count(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void execute(DataSource db, String sql, Object... args) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    static String md5Hex(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    static String sha256Hex(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
