package io.zinteract.images.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service, started with settings that cannot work, exits instead of serving, and its log says in one
 * line which variable to fix.
 */
class StartupFailureIT {

    @Test
    void r2StorageWithoutAnAccountRefusesToStart() throws Exception {
        List<String> log = start(List.of("ENABLE_R2_STORAGE=true"));
        assertEquals(1, log.stream().filter(l -> l.contains(
                "Invalid configuration: ENABLE_R2_STORAGE=true needs R2_ACCOUNT_ID or R2_ENDPOINT")).count(), String.join("\n", log));
    }

    @Test
    void aMalformedAccountIdRefusesToStart() throws Exception {
        List<String> log = start(List.of("R2_ACCOUNT_ID=not-an-account", "R2_ACCESS_KEY_ID=a", "R2_SECRET_ACCESS_KEY=b"));
        assertTrue(log.stream().anyMatch(l -> l.contains(
                "Invalid configuration: R2_ACCOUNT_ID must be the 32-character hexadecimal Cloudflare account id")),
                String.join("\n", log));
    }

    @Test
    void anSseCKeyThatIsNotThirtyTwoBytesRefusesToStart() throws Exception {
        List<String> log = start(List.of("R2_SSE_C_KEY=c2hvcnQ="));
        assertEquals(1, log.stream().filter(l -> l.contains("Invalid configuration: R2_SSE_C_KEY must be the base64 of "
                + "exactly 32 bytes, not 5 (e.g. openssl rand -base64 32)")).count(), String.join("\n", log));
        assertTrue(log.stream().noneMatch(l -> l.contains("c2hvcnQ=")), "the key never reaches the log");
    }

    @Test
    void aPartSizeBelowRsMinimumRefusesToStart() throws Exception {
        List<String> log = start(List.of("MULTIPART_PART_SIZE=1048576"));
        assertTrue(log.stream().anyMatch(l -> l.contains("Invalid configuration: MULTIPART_PART_SIZE must be between "
                + "5242880 (5 MiB) and 5368709120 (5 GiB), R2's part limits")), String.join("\n", log));
    }

    private static List<String> start(List<String> env) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(Path.of("target"), "startup-failure");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("R2_") || k.startsWith("MULTIPART_")
                || k.equals("ENABLE_R2_STORAGE"));
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
