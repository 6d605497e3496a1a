package io.zinteract.images.variant;

import io.zinteract.images.config.SettingsCheck;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.storage.R2Config;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The variant settings, parsed once and checked at start: presets by name and the eager ones. */
@ApplicationScoped
public class VariantSettings implements SettingsCheck {

    private final VariantConfig config;
    private final String keyPrefix;
    private final Map<String, Preset> presets;
    private final List<Preset> eager;
    private final String problem;

    @Inject
    public VariantSettings(VariantConfig config, R2Config r2) {
        this(config, r2.keyPrefix());
    }

    VariantSettings(VariantConfig config, String keyPrefix) {
        this.config = config;
        this.keyPrefix = keyPrefix;
        Map<String, Preset> parsed = Map.of();
        List<Preset> eagerPresets = new ArrayList<>();
        String found = null;
        try {
            parsed = Preset.parseAll(config.presets());
            for (String name : config.eagerPresets()) {
                String n = name.trim();
                if (n.isEmpty()) {
                    continue;
                }
                Preset p = parsed.get(n);
                if (p == null) {
                    throw new IllegalArgumentException("VARIANTS_EAGER_PRESETS names '" + n
                            + "', which VARIANTS_PRESETS does not define");
                }
                eagerPresets.add(p);
            }
        } catch (IllegalArgumentException e) {
            found = e.getMessage();
        }
        this.presets = parsed;
        this.eager = List.copyOf(eagerPresets);
        this.problem = found != null ? found : limits();
    }

    private String limits() {
        if (!(config.webpQuality() > 0 && config.webpQuality() <= 1)) {
            return "VARIANTS_WEBP_QUALITY must be above 0 and at most 1";
        }
        if (!(config.jpegQuality() > 0 && config.jpegQuality() <= 1)) {
            return "VARIANTS_JPEG_QUALITY must be above 0 and at most 1";
        }
        if (config.timeout().isNegative() || config.timeout().isZero()) {
            return "VARIANTS_TIMEOUT must be a positive duration such as PT20S";
        }
        if (config.workers() < 0 || config.workers() > 256) {
            return "VARIANTS_WORKERS must be 0 (one per core) to 256";
        }
        if (config.cacheBytes() < 0) {
            return "VARIANTS_CACHE_BYTES must be 0 (no cache) or more";
        }
        if (config.queueSize() < 1 || config.attempts() < 1) {
            return "VARIANTS_QUEUE_SIZE and VARIANTS_ATTEMPTS must be at least 1";
        }
        if (config.maxSourceBytes() < 1) {
            return "VARIANTS_MAX_SOURCE_BYTES must be at least 1";
        }
        if (ObjectKeys.isVariantKey(keyPrefix)) {
            return "R2_KEY_PREFIX must not start with " + ObjectKeys.VARIANT_PREFIX + ", where variants are kept";
        }
        return null;
    }

    @Override
    public String problem() {
        return problem;
    }

    @Override
    public int order() {
        return 700;
    }

    public boolean enabled() {
        return config.enabled();
    }

    public Optional<Preset> preset(String name) {
        return Optional.ofNullable(presets.get(name));
    }

    public Map<String, Preset> presets() {
        return presets;
    }

    /**
     * The presets every image in R2 should have (VARIANTS_EAGER_PRESETS), as the {@code variants} action backfills
     * them; none when variants are off.
     */
    public List<Preset> kept() {
        return config.enabled() ? eager : List.of();
    }

    /** Whether those presets are also made in the background after a store or a migration (VARIANTS_EAGER). */
    public boolean background() {
        return config.eager() && !kept().isEmpty();
    }

    public VariantConfig config() {
        return config;
    }
}
