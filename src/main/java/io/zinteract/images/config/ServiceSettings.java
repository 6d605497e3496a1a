package io.zinteract.images.config;

import io.quarkus.runtime.configuration.MemorySize;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;
import java.util.regex.Pattern;

/** The service-wide settings: image limits, the request cap, CORS origins, the SQLite file and the serving caches. */
@ApplicationScoped
class ServiceSettings implements SettingsCheck {

    private static final Pattern CORS_ORIGIN = Pattern.compile("\\*|/.+/|https?://[^/\\s]+");
    /** R2's limit for one PUT: an image above it could never be stored in one piece. */
    private static final long MAX_SINGLE_PUT = 5L * 1024 * 1024 * 1024;
    /** Longer would let another replica serve a deleted image for longer than anyone would expect. */
    static final java.time.Duration MAX_CACHE_TTL = java.time.Duration.ofHours(1);
    /** About 11 KB a row at most: a million rows would be 11 GB. */
    static final int MAX_CACHE_ENTRIES = 1_000_000;
    /** A quarter of a 4 GiB heap: more belongs in a CDN in front of the service. */
    static final long MAX_CACHE_BYTES = 1L << 30;

    private final ServiceConfig service;
    private final long maxRequestBytes;
    private final List<String> corsOrigins;

    @Inject
    ServiceSettings(ServiceConfig service, CorsConfig cors,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxRequestBytes) {
        this(service, maxRequestBytes.asLongValue(), cors.origins().orElse(List.of()));
    }

    ServiceSettings(ServiceConfig service, long maxRequestBytes, List<String> corsOrigins) {
        this.service = service;
        this.maxRequestBytes = maxRequestBytes;
        this.corsOrigins = corsOrigins;
    }

    @Override
    public int order() {
        return 200;
    }

    @Override
    public String problem() {
        if (service.maxImageBytes() < 1 || service.maxImageBytes() > MAX_SINGLE_PUT) {
            return "MAX_IMAGE_BYTES must be between 1 and " + MAX_SINGLE_PUT;
        }
        if (service.maxImagePixels() < 1) {
            return "MAX_IMAGE_PIXELS must be at least 1";
        }
        if (service.maxImageBytes() + 64 * 1024 > maxRequestBytes) {
            return "MAX_REQUEST_BYTES (" + maxRequestBytes + ") must exceed MAX_IMAGE_BYTES by at least 64 KiB of multipart framing";
        }
        for (String origin : corsOrigins) {
            if (!CORS_ORIGIN.matcher(origin.trim()).matches()) {
                return "CORS_ORIGINS entries must be origins such as https://app.example.com (scheme, host, optional "
                        + "port, no path), * or a /regular expression/; got " + origin.trim();
            }
        }
        if (service.sqlitePath().isBlank()) {
            return "SQLITE_PATH must not be empty";
        }
        ServiceConfig.Cache cache = service.serve().cache();
        if (cache.ttl().isNegative() || cache.ttl().compareTo(MAX_CACHE_TTL) > 0) {
            return "IMAGE_CACHE_TTL must be between PT0S (no cache) and " + MAX_CACHE_TTL;
        }
        if (cache.maxEntries() < 0 || cache.maxEntries() > MAX_CACHE_ENTRIES) {
            return "IMAGE_CACHE_MAX_ENTRIES must be between 0 (no cache) and " + MAX_CACHE_ENTRIES;
        }
        if (cache.maxBytes() < 0 || cache.maxBytes() > MAX_CACHE_BYTES) {
            return "IMAGE_CACHE_BYTES must be between 0 (no cache of base64 images) and " + MAX_CACHE_BYTES;
        }
        return null;
    }
}
