package io.zinteract.images.security;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** Who may call the endpoints that change data in bulk or delete. */
@ConfigMapping(prefix = "admin")
public interface AdminConfig {

    /**
     * Key that admin requests present as {@code Authorization: Bearer <key>} ({@code ADMIN_API_KEY}); at least 16
     * characters. Never logged.
     */
    Optional<String> apiKey();

    /**
     * Lets admin endpoints run without a key when none is configured; for a developer's machine only
     * ({@code ADMIN_ALLOW_UNAUTHENTICATED}). Ignored when {@code ADMIN_API_KEY} is set.
     */
    boolean allowUnauthenticated();
}
