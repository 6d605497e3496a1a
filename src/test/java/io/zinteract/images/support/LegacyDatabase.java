package io.zinteract.images.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;

/**
 * A database file as z-interact left it: the app's own DDL (Drizzle on SQLite), an unrelated table of the app, and
 * legacy rows of every shape the migration plan mentions. No Flyway history.
 */
public final class LegacyDatabase {

    public static final String LEGACY_DDL = """
            CREATE TABLE `images` (
            	`id` text PRIMARY KEY NOT NULL,
            	`session_id` text,
            	`participant_id` text,
            	`table_id` text,
            	`persona_id` text NOT NULL,
            	`persona_title` text NOT NULL,
            	`image_url` text,
            	`image_data` text,
            	`image_mime_type` text,
            	`prompt` text NOT NULL,
            	`provider` text DEFAULT 'placeholder',
            	`status` text DEFAULT 'generating',
            	`r2_key` text,
            	`migration_status` text DEFAULT 'pending' NOT NULL,
            	`migrated_at` integer,
            	`created_at` integer NOT NULL,
            	`updated_at` integer NOT NULL
            )""";

    public static final String PNG_ROW = "6f1c1f7e-0b3a-4d55-9a57-1b2c3d4e5f60";
    public static final String DATA_URL_ROW = "7a2d2e8f-1c4b-4e66-8b68-2c3d4e5f6071";
    public static final String EXTERNAL_ROW = "8b3e3f90-2d5c-4f77-9c79-3d4e5f607182";
    public static final String BOTH_ROW = "9c4f4001-3e6d-4088-8d8a-4e5f60718293";
    public static final String EMPTY_ROW = "ad505112-4f7e-4199-9e9b-5f60718293a4";
    public static final String WRONG_MIME_ROW = "be616223-508f-42aa-8fac-60718293a4b5";
    public static final String EXTERNAL_URL = "https://oaidalleapiprodscus.blob.core.windows.net/private/img-abc.png";

    public static final byte[] PNG = TestImages.png(40, 30, 101);
    public static final byte[] JPEG = TestImages.jpeg(40, 30, 102);
    public static final byte[] WEBP = TestImages.webp(500, 103);

    private LegacyDatabase() {
    }

    public static void create(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        try (Connection c = Db.open("jdbc:sqlite:" + file)) {
            try (Statement s = c.createStatement()) {
                s.execute(LEGACY_DDL);
                s.execute("CREATE TABLE `sessions` (`id` text PRIMARY KEY NOT NULL, `name` text NOT NULL, `created_at` integer NOT NULL)");
                s.execute("CREATE TABLE `__drizzle_migrations` (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)");
                s.execute("INSERT INTO sessions VALUES ('s-legacy', 'Workshop Berlin', 1718000000)");
                s.execute("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('0000_init', 1718000000)");
            }
            insert(c, PNG_ROW, "baby-boomer", null, Base64.getEncoder().encodeToString(PNG), "image/png", "completed", 1718000001);
            insert(c, DATA_URL_ROW, "gen-x", null, "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(JPEG),
                    "image/jpeg", "completed", 1718000002);
            insert(c, EXTERNAL_ROW, "millennial", EXTERNAL_URL, null, null, "completed", 1718000003);
            insert(c, BOTH_ROW, "gen-z", EXTERNAL_URL, Base64.getEncoder().encodeToString(WEBP), "image/webp", "completed", 1718000004);
            insert(c, EMPTY_ROW, "gen-alpha", null, null, null, "failed", 1718000005);
            insert(c, WRONG_MIME_ROW, "gen-x", null, Base64.getEncoder().encodeToString(PNG), "image/jpeg", "completed", 1718000006);
        }
    }

    private static void insert(Connection c, String id, String persona, String url, String data, String mime, String status,
            long created) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO images (id, session_id, participant_id, table_id, "
                + "persona_id, persona_title, image_url, image_data, image_mime_type, prompt, provider, status, "
                + "created_at, updated_at) VALUES (?, 's-legacy', 'p-1', 't-1', ?, ?, ?, ?, ?, ?, 'openai', ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, persona);
            ps.setString(3, "Title of " + persona);
            ps.setString(4, url);
            ps.setString(5, data);
            ps.setString(6, mime);
            ps.setString(7, "prompt for " + persona);
            ps.setString(8, status);
            ps.setLong(9, created);
            ps.setLong(10, created);
            ps.executeUpdate();
        }
    }
}
