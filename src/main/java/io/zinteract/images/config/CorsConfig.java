package io.zinteract.images.config;

import io.smallrye.config.ConfigMapping;

import java.util.List;
import java.util.Optional;

/**
 * Cross-origin access to this service's own API from browsers. Unset means the CORS filter stays off, exactly as
 * before; {@link CorsConfigSourceFactory} turns Quarkus' filter on with these origins when they are set.
 */
@ConfigMapping(prefix = "cors")
public interface CorsConfig {

    /**
     * Origins whose pages may call the API ({@code CORS_ORIGINS}, comma-separated), e.g.
     * {@code https://app.example.com,https://admin.example.com}; an entry between slashes is a regular expression.
     */
    Optional<List<String>> origins();
}
