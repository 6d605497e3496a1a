package io.zinteract.images.security;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks endpoints that change data in bulk or delete: they need {@code Authorization: Bearer <ADMIN_API_KEY>}
 * ({@link AdminAuthFilter}). Public image reads never carry it.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface AdminOnly {
}
