package io.zinteract.images.variant;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;

/** Settings of image variants (environment names {@code VARIANTS_*}, see the README's configuration table). */
@ConfigMapping(prefix = "variants")
public interface VariantConfig {

    /** Whether {@code ?variant=} is served and variants are made ({@code VARIANTS_ENABLED}). */
    @WithDefault("true")
    boolean enabled();

    /**
     * The named widths clients may ask for, {@code name:width} separated by commas ({@code VARIANTS_PRESETS}); names
     * of 1 to 32 letters, digits, {@code _} or {@code -}, widths from 16 to 4096 pixels. Aspect is kept and an image is
     * never enlarged.
     */
    @WithDefault("thumb:160,small:480,medium:1024")
    String presets();

    /** Whether variants are made off the request path after an image is stored or migrated ({@code VARIANTS_EAGER}). */
    @WithDefault("true")
    boolean eager();

    /**
     * Presets every R2 image gets as WebP ({@code VARIANTS_EAGER_PRESETS}): in the background when VARIANTS_EAGER is on,
     * and from the {@code variants} migration action; the others are made on first request.
     */
    @WithDefault("thumb,small,medium")
    List<String> eagerPresets();

    /** WebP quality, above 0 and at most 1 ({@code VARIANTS_WEBP_QUALITY}). */
    @WithDefault("0.8")
    float webpQuality();

    /** JPEG quality, above 0 and at most 1 ({@code VARIANTS_JPEG_QUALITY}). */
    @WithDefault("0.85")
    float jpegQuality();

    /** Longest one image's decode plus render may take before it is abandoned ({@code VARIANTS_TIMEOUT}). */
    @WithDefault("PT20S")
    Duration timeout();

    /** Threads that decode and encode; 0 means one per core ({@code VARIANTS_WORKERS}). */
    @WithDefault("0")
    int workers();

    /**
     * Bytes of variants of database-stored (base64) images kept in memory ({@code VARIANTS_CACHE_BYTES}); such
     * variants are made on request and never written to the bucket or the database.
     */
    @WithDefault("16777216")
    long cacheBytes();

    /**
     * Largest original, in bytes, variants are made of ({@code VARIANTS_MAX_SOURCE_BYTES}); a larger image is answered
     * 422 VARIANT_NOT_POSSIBLE rather than read into memory.
     */
    @WithDefault("33554432")
    long maxSourceBytes();

    /** Images waiting for eager variants; beyond it they are left to the first request or a backfill ({@code VARIANTS_QUEUE_SIZE}). */
    @WithDefault("10000")
    int queueSize();

    /** Tries of an eager variant before it is left to the first request or a backfill ({@code VARIANTS_ATTEMPTS}). */
    @WithDefault("3")
    int attempts();
}
