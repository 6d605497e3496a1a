package io.zinteract.images.db;

import io.zinteract.images.config.StartupValidator.InvalidConfigurationException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Looks at {@code SQLITE_PATH} before any connection is opened. SQLite's driver creates {@code -wal}/{@code -shm}
 * files beside whatever it opens and can write to a file that is not a database; so a path that is a folder, a
 * file of another kind, a damaged database or a place this process cannot write is refused here, with one line, and
 * nothing is opened or written. An absent or empty file is a new database.
 *
 * <p>The check reads only the 100-byte database header (SQLite's file format, section 1.3): the magic string, a
 * page size that SQLite can have, the fixed payload fractions, and a file that holds every page the header counts.
 */
final class SqliteFileCheck {

    static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 100;

    private SqliteFileCheck() {
    }

    /** Throws {@link InvalidConfigurationException} naming the problem; returns when the path can be used. */
    static void check(Path file) {
        String problem = problem(file);
        if (problem != null) {
            throw new InvalidConfigurationException(problem);
        }
    }

    static String problem(Path file) {
        Path absolute = file.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return "SQLITE_PATH " + absolute + " is a folder; it must name a SQLite database file";
        }
        if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) && !Files.exists(absolute)) {
            return folderProblem(absolute);
        }
        if (!Files.isRegularFile(absolute)) {
            return "SQLITE_PATH " + absolute + " is not a regular file";
        }
        if (!Files.isReadable(absolute) || !Files.isWritable(absolute)) {
            return "SQLITE_PATH " + absolute + " cannot be read and written by this process";
        }
        for (String suffix : new String[] { "-wal", "-shm", "-journal" }) {
            Path companion = absolute.resolveSibling(absolute.getFileName() + suffix);
            if (Files.exists(companion) && !Files.isRegularFile(companion)) {
                return "SQLITE_PATH " + absolute + " has " + companion.getFileName() + " beside it that is not a file";
            }
        }
        try {
            long size = Files.size(absolute);
            if (size == 0) {
                return null;
            }
            return headerProblem(absolute, size);
        } catch (IOException e) {
            return "SQLITE_PATH " + absolute + " cannot be read: " + e.getMessage();
        }
    }

    /** A new database: its folder must exist (or be creatable) and be writable, so SQLite can create it beside. */
    private static String folderProblem(Path absolute) {
        Path parent = absolute.getParent();
        Path existing = parent;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            return "SQLITE_PATH " + absolute + " cannot be created: " + existing + " is not a folder";
        }
        if (!Files.isWritable(existing) || !Files.isExecutable(existing)) {
            return "SQLITE_PATH " + absolute + " cannot be created: the folder " + existing + " is not writable";
        }
        return null;
    }

    private static String headerProblem(Path absolute, long size) throws IOException {
        byte[] header = new byte[HEADER];
        int read;
        try (InputStream in = Files.newInputStream(absolute)) {
            read = in.readNBytes(header, 0, HEADER);
        }
        String notADatabase = "SQLITE_PATH " + absolute + " is not a SQLite database (";
        if (read < MAGIC.length || !Arrays.equals(Arrays.copyOf(header, MAGIC.length), MAGIC)) {
            return notADatabase + "it does not start with the SQLite header); the file was not opened";
        }
        if (read < HEADER) {
            return notADatabase + "it is " + size + " bytes, shorter than the SQLite header); the file was not opened";
        }
        ByteBuffer h = ByteBuffer.wrap(header);
        int pageSize = h.getShort(16) & 0xffff;
        pageSize = pageSize == 1 ? 65536 : pageSize;
        if (pageSize < 512 || Integer.bitCount(pageSize) != 1) {
            return notADatabase + "its header names an impossible page size); the file was not opened";
        }
        if (header[21] != 64 || header[22] != 32 || header[23] != 32) {
            return notADatabase + "its header is damaged); the file was not opened";
        }
        if (size % pageSize != 0) {
            return "SQLITE_PATH " + absolute + " is a damaged SQLite database (" + size + " bytes is not a whole number of "
                    + pageSize + "-byte pages; truncated?); the file was not opened";
        }
        long pages = h.getInt(28) & 0xffffffffL;
        boolean pagesValid = h.getInt(24) == h.getInt(92) && pages > 0;
        if (pagesValid && pages * pageSize > size) {
            return "SQLITE_PATH " + absolute + " is a damaged SQLite database (its header counts " + pages
                    + " pages, the file holds " + size / pageSize + "; truncated?); the file was not opened";
        }
        return null;
    }
}
