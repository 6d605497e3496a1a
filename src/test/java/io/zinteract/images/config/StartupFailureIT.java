package io.zinteract.images.config;

import io.zinteract.images.support.Sha;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The packaged service, started with settings that cannot work, exits instead of serving, and its output says in
 * one line what to fix: no stack trace, no exception class names. A SQLITE_PATH that is not a usable database is
 * refused before anything opens it, so the file is byte-for-byte unchanged and nothing is created beside it.
 */
class StartupFailureIT {

    /**
     * A test that runs beside the others of this class (each starts a process of its own in a folder of its own); the
     * class itself still runs alone, like every other class.
     */
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface Case {
    }

    private static final Pattern EXCEPTION_NAME = Pattern.compile("[A-Za-z]+Exception\\b");

    @Case
    void r2StorageWithoutAnAccountRefusesToStart() throws Exception {
        refusedWithOneLine(start(List.of("ENABLE_R2_STORAGE=true")),
                "Invalid configuration: ENABLE_R2_STORAGE=true needs R2_ACCOUNT_ID or R2_ENDPOINT");
    }

    @Case
    void aMalformedAccountIdRefusesToStart() throws Exception {
        refusedWithOneLine(start(List.of("R2_ACCOUNT_ID=not-an-account", "R2_ACCESS_KEY_ID=a", "R2_SECRET_ACCESS_KEY=b")),
                "Invalid configuration: R2_ACCOUNT_ID must be the 32-character hexadecimal Cloudflare account id");
    }

    @Case
    void anSseCKeyThatIsNotThirtyTwoBytesRefusesToStart() throws Exception {
        List<String> log = start(List.of("R2_SSE_C_KEY=c2hvcnQ="));
        refusedWithOneLine(log, "Invalid configuration: R2_SSE_C_KEY must be the base64 of "
                + "exactly 32 bytes, not 5 (e.g. openssl rand -base64 32)");
        assertTrue(log.stream().noneMatch(l -> l.contains("c2hvcnQ=")), "the key never reaches the log");
    }

    @Case
    void aPartSizeBelowRsMinimumRefusesToStart() throws Exception {
        refusedWithOneLine(start(List.of("MULTIPART_PART_SIZE=1048576")), "Invalid configuration: MULTIPART_PART_SIZE "
                + "must be between 5242880 (5 MiB) and 5368709120 (5 GiB), R2's part limits");
    }

    @Case
    void otherBadSettingsRefuseToStartWithOneLine() throws Exception {
        refusedWithOneLine(start(List.of("MAX_IMAGE_BYTES=0")), "Invalid configuration: MAX_IMAGE_BYTES must be between 1");
        refusedWithOneLine(start(List.of("CORS_ORIGINS=ftp://files.example.com")),
                "Invalid configuration: CORS_ORIGINS entries must be origins");
        refusedWithOneLine(start(List.of("ADMIN_API_KEY=short")),
                "Invalid configuration: ADMIN_API_KEY must be at least 16 characters");
        refusedWithOneLine(start(List.of("RATE_LIMIT_GENERATE=ten a minute")),
                "Invalid configuration: RATE_LIMIT_GENERATE: 'ten a minute' is not <count>/<period>");
        refusedWithOneLine(start(List.of("QUOTA_SESSION_GENERATIONS_PER_DAY=-1")),
                "Invalid configuration: QUOTA_SESSION_GENERATIONS_PER_DAY is -1; a quota is 0 (off) or a positive number");
    }

    @Case
    void aTextFileAsTheDatabaseIsRefusedAndLeftAlone() throws Exception {
        Path file = folder().resolve("notes.db");
        Files.writeString(file, "these are notes, not a database\n".repeat(50));
        refusedUntouched(file, "is not a SQLite database (it does not start with the SQLite header)");
    }

    @Case
    void randomBytesAsTheDatabaseAreRefusedAndLeftAlone() throws Exception {
        Path file = folder().resolve("random.db");
        byte[] bytes = new byte[8192];
        new Random(7).nextBytes(bytes);
        Files.write(file, bytes);
        refusedUntouched(file, "is not a SQLite database");
    }

    @Case
    void aTruncatedOrDamagedSqliteFileIsRefusedAndLeftAlone() throws Exception {
        Path whole = sqliteDatabase(folder().resolve("whole.db"));
        long size = Files.size(whole);
        assertTrue(size >= 20 * 4096, "the database has many pages: " + size);

        Path halfPage = folder().resolve("half-page.db");
        Files.write(halfPage, java.util.Arrays.copyOf(Files.readAllBytes(whole), (int) (size / 2 + 100)));
        refusedUntouched(halfPage, "is a damaged SQLite database (");

        Path fewerPages = folder().resolve("fewer-pages.db");
        Files.write(fewerPages, java.util.Arrays.copyOf(Files.readAllBytes(whole), (int) (size / 2 / 4096 * 4096)));
        refusedUntouched(fewerPages, "is a damaged SQLite database (its header counts");

        Path headerOnly = folder().resolve("header-only.db");
        Files.write(headerOnly, java.util.Arrays.copyOf(Files.readAllBytes(whole), 60));
        refusedUntouched(headerOnly, "shorter than the SQLite header");

        Path badPageSize = folder().resolve("bad-page-size.db");
        byte[] bytes = Files.readAllBytes(whole);
        bytes[16] = 0x03;
        bytes[17] = 0x01;
        Files.write(badPageSize, bytes);
        refusedUntouched(badPageSize, "impossible page size");
    }

    @Case
    void aFolderAsTheDatabaseIsRefused() throws Exception {
        Path dir = Files.createDirectory(folder().resolve("images.db"));
        refusedWithOneLine(startWith(dir), "is a folder; it must name a SQLite database file");
        try (var children = Files.list(dir)) {
            assertEquals(0, children.count(), "nothing was created inside the folder");
        }
    }

    @Case
    void aDatabaseInAFolderThatCannotExistIsRefused() throws Exception {
        Path notAFolder = folder().resolve("plain-file");
        Files.writeString(notAFolder, "x");
        byte[] before = Files.readAllBytes(notAFolder);
        refusedWithOneLine(startWith(notAFolder.resolve("sub").resolve("images.db")), "cannot be created: "
                + notAFolder.toAbsolutePath() + " is not a folder");
        assertArrayEquals(before, Files.readAllBytes(notAFolder));
    }

    @Case
    void aDatabaseInAReadOnlyFolderIsRefused() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root writes to read-only folders");
        Path dir = Files.createDirectory(folder().resolve("read-only"));
        assertTrue(dir.toFile().setWritable(false, false));
        try {
            refusedWithOneLine(startWith(dir.resolve("images.db")), "the folder " + dir.toAbsolutePath() + " is not writable");
            try (var children = Files.list(dir)) {
                assertEquals(0, children.count());
            }
        } finally {
            dir.toFile().setWritable(true, false);
        }
    }

    /** Starting on {@code file} fails with one line naming it and the cause; the file and its folder are unchanged. */
    private static void refusedUntouched(Path file, String cause) throws Exception {
        String sha = Sha.sha256(Files.readAllBytes(file));
        List<String> log = startWith(file);
        String line = refusedWithOneLine(log, cause);
        assertTrue(line.contains("SQLITE_PATH " + file.toAbsolutePath()), line);
        assertEquals(sha, Sha.sha256(Files.readAllBytes(file)), file + " was modified");
        for (String suffix : List.of("-wal", "-shm", "-journal")) {
            assertFalse(Files.exists(file.resolveSibling(file.getFileName() + suffix)), suffix + " created beside " + file);
        }
    }

    /** Exactly one line names the cause; no line is a stack frame or names an exception class. Returns that line. */
    private static String refusedWithOneLine(List<String> log, String cause) {
        String all = String.join("\n", log);
        List<String> naming = log.stream().filter(l -> l.contains(cause)).toList();
        assertEquals(1, naming.size(), all);
        assertTrue(log.stream().noneMatch(l -> l.startsWith("\tat ") || l.trim().startsWith("at ")
                || l.trim().startsWith("Caused by") || l.trim().startsWith("...")), all);
        assertTrue(log.stream().noneMatch(l -> EXCEPTION_NAME.matcher(l).find()), all);
        assertTrue(log.stream().noneMatch(l -> l.contains("Failed to start")), all);
        return naming.get(0);
    }

    private static Path sqliteDatabase(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
                Statement s = c.createStatement()) {
            s.execute("PRAGMA page_size=4096");
            s.execute("CREATE TABLE images (id TEXT PRIMARY KEY, data BLOB)");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO images VALUES (?, ?)")) {
                for (int i = 0; i < 100; i++) {
                    insert.setString(1, "img-" + i);
                    insert.setBytes(2, new byte[2000]);
                    insert.executeUpdate();
                }
            }
        }
        for (String suffix : List.of("-wal", "-shm", "-journal")) {
            assertFalse(Files.exists(file.resolveSibling(file.getFileName() + suffix)));
        }
        return file;
    }

    private static Path folder() throws IOException {
        return Files.createTempDirectory(Path.of("target"), "startup-failure").toAbsolutePath();
    }

    private static List<String> startWith(Path sqlitePath) throws IOException, InterruptedException {
        return start(List.of("SQLITE_PATH=" + sqlitePath.toAbsolutePath()));
    }

    private static List<String> start(List<String> env) throws IOException, InterruptedException {
        Path dir = folder();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("R2_") || k.startsWith("MULTIPART_")
                || k.equals("ENABLE_R2_STORAGE") || k.equals("CORS_ORIGINS") || k.equals("ADMIN_API_KEY")
                || k.equals("MAX_IMAGE_BYTES") || k.equals("SQLITE_PATH"));
        builder.environment().put("SQLITE_PATH", dir.resolve("images.db").toString());
        builder.environment().put("PORT", "0");
        for (String pair : env) {
            String[] kv = pair.split("=", 2);
            builder.environment().put(kv[0], kv[1]);
        }
        Process process = builder.start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        assertTrue(exited, "the service must exit, not serve");
        assertNotEquals(0, process.exitValue());
        return Files.readAllLines(dir.resolve("out.log"), StandardCharsets.UTF_8);
    }
}
