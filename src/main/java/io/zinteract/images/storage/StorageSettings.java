package io.zinteract.images.storage;

import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.config.SettingsCheck;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

import static io.zinteract.images.config.SettingsCheck.blank;

/**
 * The settings that reach R2: account, endpoint, credentials, bucket and key layout, then the optional features (the
 * SSE-C key, the storage-class age) and the lifetime of presigned GETs. Multipart sizes are checked beside the
 * multipart code.
 */
@ApplicationScoped
public class StorageSettings implements SettingsCheck {

    private static final Pattern ACCOUNT_ID = Pattern.compile("[0-9a-fA-F]{32}");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");
    private static final Pattern KEY_PREFIX = Pattern.compile("([A-Za-z0-9_-]+/)*");

    private final ServiceConfig service;
    private final R2Config r2;

    StorageSettings(ServiceConfig service, R2Config r2) {
        this.service = service;
        this.r2 = r2;
    }

    /** The problem with a presigned URL lifetime set by {@code variable}, or null when R2 will sign it. */
    public static String presignTtlProblem(String variable, Duration ttl) {
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofDays(7)) > 0) {
            return variable + " must be between PT1S and P7D (R2's presign limits)";
        }
        return null;
    }

    @Override
    public int order() {
        return 100;
    }

    @Override
    public String problem() {
        String problem = connectionProblem();
        if (problem == null) {
            problem = featureProblem();
        }
        return problem != null ? problem : presignTtlProblem("PRESIGN_TTL", service.serve().presignTtl());
    }

    private String connectionProblem() {
        if (blank(r2.accessKeyId()) != blank(r2.secretAccessKey())) {
            return blank(r2.accessKeyId())
                    ? "R2_ACCESS_KEY_ID is missing while R2_SECRET_ACCESS_KEY is set"
                    : "R2_SECRET_ACCESS_KEY is missing while R2_ACCESS_KEY_ID is set";
        }
        if (!blank(r2.accountId()) && !ACCOUNT_ID.matcher(r2.accountId().get().trim()).matches()) {
            return "R2_ACCOUNT_ID must be the 32-character hexadecimal Cloudflare account id";
        }
        if (!blank(r2.endpoint()) && !httpUrl(r2.endpoint().get())) {
            return "R2_ENDPOINT must be an http(s) URL such as https://<account>.r2.cloudflarestorage.com";
        }
        if (!blank(r2.publicUrl()) && !httpUrl(r2.publicUrl().get())) {
            return "R2_PUBLIC_URL must be an http(s) URL such as https://images.example.com";
        }
        if (!BUCKET.matcher(r2.bucket()).matches()) {
            return "R2_BUCKET must be 3 to 63 lowercase letters, digits or hyphens";
        }
        if (!KEY_PREFIX.matcher(r2.keyPrefix()).matches()) {
            return "R2_KEY_PREFIX must be empty or folders of [A-Za-z0-9_-] each ending in '/'";
        }
        if (r2.readBufferBytes() < 64 * 1024 || r2.readBufferBytes() > 256L * 1024 * 1024) {
            return "R2_READ_BUFFER_BYTES must be between 65536 and 268435456";
        }
        if (service.enableR2Storage() && !r2.configured()) {
            if (blank(r2.endpoint()) && blank(r2.accountId())) {
                return "ENABLE_R2_STORAGE=true needs R2_ACCOUNT_ID or R2_ENDPOINT";
            }
            return "ENABLE_R2_STORAGE=true needs R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY";
        }
        return null;
    }

    /** The SSE-C key and the storage-class age: the settings of R2's optional features (multipart: MultipartSettings). */
    private String featureProblem() {
        Optional<SseCustomerKey> sse;
        try {
            sse = SseCustomerKey.parse(r2.sseCKey());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (sse.isPresent() && !blank(r2.publicUrl())) {
            return "R2_PUBLIC_URL cannot serve objects encrypted with R2_SSE_C_KEY (a browser cannot send the key); "
                    + "unset one of them";
        }
        if (sse.isPresent() && r2.effectiveEndpoint().map(StorageSettings::plainHttpOffLoopback).orElse(false)) {
            return "R2_SSE_C_KEY needs an https R2_ENDPOINT: the key travels in request headers";
        }
        if (r2.iaAfterDays().isPresent() && r2.iaAfterDays().getAsInt() < 0) {
            return "R2_IA_AFTER_DAYS must be a number of days, 0 or more (empty: never use STANDARD_IA)";
        }
        return null;
    }

    private static boolean plainHttpOffLoopback(String endpoint) {
        URI uri = URI.create(endpoint.trim());
        String host = uri.getHost() == null ? "" : uri.getHost();
        return "http".equals(uri.getScheme())
                && !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
    }

    private static boolean httpUrl(String value) {
        try {
            URI uri = URI.create(value.trim());
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
