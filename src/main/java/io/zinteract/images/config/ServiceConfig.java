package io.zinteract.images.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the service itself. The environment variable names that operators use are mapped onto these
 * keys in {@code application.properties}; the README's configuration table lists both.
 */
@ConfigMapping(prefix = "images")
public interface ServiceConfig {

    /**
     * Where new images go: {@code true} stores them in R2 and keeps only metadata in the database,
     * {@code false} stores them base64 in {@code image_data} as the legacy app did ({@code ENABLE_R2_STORAGE}).
     */
    @WithName("enable-r2-storage")
    boolean enableR2Storage();

    /** Largest image accepted, in bytes ({@code MAX_IMAGE_BYTES}); 25 MiB by default. */
    long maxImageBytes();

    /**
     * Largest image accepted, in pixels (width times height as its header declares them; {@code MAX_IMAGE_PIXELS});
     * 50 megapixels by default, like imgproxy's and Supabase's limits. Guards whoever decodes the image later against
     * decompression bombs: a small file can declare a canvas of gigabytes.
     */
    long maxImagePixels();

    /** Uploads above a size go to R2 as multipart uploads, streamed from disk part by part. */
    Multipart multipart();

    interface Multipart {
        /**
         * Images larger than this many bytes are uploaded to R2 in parts instead of one PUT, and never held in memory
         * whole ({@code MULTIPART_THRESHOLD}); 100 MiB by default. Between 5 MiB and 5 GiB (R2's single PUT limit).
         */
        long threshold();

        /**
         * Size of each part of a multipart upload, in bytes ({@code MULTIPART_PART_SIZE}); 8 MiB by default, at least
         * 5 MiB (R2's minimum for all parts but the last). Grown automatically when an image would need more than
         * 10,000 parts.
         */
        long partSize();
    }

    /** Path of the embedded SQLite database file ({@code SQLITE_PATH}). */
    String sqlitePath();

    /** How images stored in R2 are served by {@code GET /api/images/{id}}. */
    Serve serve();

    interface Serve {
        /**
         * {@code redirect} answers 302 to the public URL (or a presigned URL when there is none);
         * {@code proxy} streams the object through this service ({@code IMAGE_SERVE_MODE}).
         */
        ServeMode mode();

        /** Lifetime of presigned GET URLs handed out by redirects ({@code PRESIGN_TTL}); R2 allows 1 s to 7 days. */
        Duration presignTtl();

        /** The in-process caches of the serving path: image rows by id, and presigned GET URLs by key. */
        Cache cache();
    }

    interface Cache {
        /**
         * How long a looked-up image row is reused before it is read again ({@code IMAGE_CACHE_TTL}); 3 s by default,
         * {@code PT0S} turns the row cache off. Writes made by this process drop the row at once; this is how long
         * another replica (or the legacy app writing the same database) may go on answering from the row it read.
         */
        Duration ttl();

        /**
         * Most entries each cache holds ({@code IMAGE_CACHE_MAX_ENTRIES}): that many rows, and as many presigned URLs;
         * 0 turns both off. The least used go first.
         */
        int maxEntries();

        /**
         * Bytes of decoded base64 (database) images kept for {@code GET /api/images/{id}} under the same
         * {@code IMAGE_CACHE_TTL} ({@code IMAGE_CACHE_BYTES}); an image larger than a quarter of this is read from
         * the database each time; 0 turns it off. Outside the memory budget, like the variants' cache.
         */
        long maxBytes();
    }

    enum ServeMode {
        REDIRECT,
        PROXY
    }

    /**
     * Base URL clients should use to reach this service, when it differs from what requests show, e.g. behind a
     * gateway that rewrites paths ({@code PUBLIC_BASE_URL}).
     */
    Optional<String> publicBaseUrl();

    /** Health probes. */
    Health health();

    interface Health {
        /** How long the readiness probe waits for R2 to list one key before reporting DOWN ({@code R2_HEALTH_TIMEOUT}). */
        Duration r2Timeout();
    }
}
