package io.zinteract.images.support;

import io.zinteract.images.support.profile.S3ProxyResource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Direct JDBC on the test database, apart from the service's own code, to see exactly what the service wrote.
 */
public final class Db {

    private Db() {
    }

    /**
     * SQLite connections come straight from the driver, not from DriverManager: DriverManager only hands out drivers
     * registered by the caller's class loader, and each Quarkus test profile (and its test resources) has its own, so
     * the first call from a new profile could fail with "No suitable driver" depending on the order tests run in.
     */
    public static Connection open(String jdbcUrl) throws SQLException {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            return new org.sqlite.JDBC().connect(jdbcUrl, new java.util.Properties());
        }
        return DriverManager.getConnection(jdbcUrl);
    }

    public static Connection openConfigured() throws SQLException {
        return open(S3ProxyResource.currentJdbcUrl());
    }

    public static long count(String sql, Object... args) {
        try (Connection c = openConfigured(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<Map<String, Object>> rows(String sql, Object... args) {
        try (Connection c = openConfigured(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= columns; i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Inserts a row as the legacy app wrote it (base64 in the database, no object) and returns its new id. */
    public static String insertBase64Row(byte[] image, String personaId) throws SQLException {
        String id = java.util.UUID.randomUUID().toString();
        try (Connection c = openConfigured(); PreparedStatement ps = c.prepareStatement("INSERT INTO images (id, "
                + "persona_id, persona_title, image_data, image_mime_type, prompt, status, migration_status, created_at, "
                + "updated_at) VALUES (?, ?, 'Legacy', ?, 'image/png', 'legacy', 'completed', 'pending', 1700000000, "
                + "1700000000)")) {
            ps.setString(1, id);
            ps.setString(2, personaId);
            ps.setString(3, java.util.Base64.getEncoder().encodeToString(image));
            ps.executeUpdate();
        }
        return id;
    }

    /** A digest of every row of {@code images}, to prove a request changed nothing. */
    public static String imagesFingerprint() {
        return Sha.sha256(rows("SELECT * FROM images ORDER BY id").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
