package io.zinteract.images.variant;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.zinteract.images.variant.codec.VariantFormat;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Variants of database-stored images, kept in memory up to VARIANTS_CACHE_BYTES and evicted least recently used first.
 * They are not written to the bucket (the original is not there yet) nor to the database (the base64 rows are what
 * the migration is shrinking; variants there would grow it again): a variant evicted or lost at a restart is made
 * again from its row on the next request, and once the image is migrated its variants are kept in R2 instead.
 */
@ApplicationScoped
public class VariantCache {

    /** Per entry, on top of its bytes: key, map node and record. */
    static final int ENTRY_OVERHEAD = 256;

    /**
     * {@code version} names the original's content (its SHA-256, or its update time and length for legacy rows
     * without one), so an id reused for other bytes never finds the old image's variant.
     */
    record Key(String imageId, String version, String preset, String format) {
    }

    public record Entry(byte[] bytes, VariantFormat format, int width, int height, String sha256) {
    }

    private final long capacity;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long used;

    @Inject
    public VariantCache(VariantConfig config, MeterRegistry registry) {
        this(config.cacheBytes());
        Gauge.builder("variants.cache.bytes", this, VariantCache::used).register(registry);
    }

    VariantCache(long capacity) {
        this.capacity = capacity;
    }

    public synchronized Optional<Entry> get(Key key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** Keeps {@code entry} unless it alone would take more than a quarter of the cache. */
    public synchronized void put(Key key, Entry entry) {
        long weight = weight(entry);
        if (weight > capacity / 4) {
            return;
        }
        Entry old = entries.put(key, entry);
        used += weight - (old == null ? 0 : weight(old));
        Iterator<Map.Entry<Key, Entry>> eldest = entries.entrySet().iterator();
        while (used > capacity && eldest.hasNext()) {
            used -= weight(eldest.next().getValue());
            eldest.remove();
        }
    }

    /** Drops every variant of the image (deleted, or moved to the bucket). */
    public synchronized void invalidate(String imageId) {
        Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Entry> e = it.next();
            if (e.getKey().imageId().equals(imageId)) {
                used -= weight(e.getValue());
                it.remove();
            }
        }
    }

    public synchronized long used() {
        return used;
    }

    private static long weight(Entry e) {
        return (long) e.bytes().length + ENTRY_OVERHEAD;
    }
}
