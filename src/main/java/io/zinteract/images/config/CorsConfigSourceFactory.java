package io.zinteract.images.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Turns Quarkus' CORS filter on only when {@code CORS_ORIGINS} ({@code cors.origins}) is set. A filter that is on
 * with no origins would refuse every cross-origin request with 403, which would change what clients see today, and
 * properties cannot say "on when another value is set", hence this source.
 *
 * <p>Its ordinal sits below {@code application.properties}, so an explicit {@code quarkus.http.cors.*} setting
 * (file or environment) still wins.
 */
public class CorsConfigSourceFactory implements ConfigSourceFactory {

    static final String ORIGINS = "cors.origins";
    static final int ORDINAL = 200;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue value = context.getValue(ORIGINS);
        String origins = value == null ? null : value.getValue();
        if (origins == null || origins.isBlank()) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(Map.of(
                "quarkus.http.cors.enabled", "true",
                "quarkus.http.cors.origins", origins.trim()), "cors-origins", ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
