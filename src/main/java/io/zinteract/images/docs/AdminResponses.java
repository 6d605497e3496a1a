package io.zinteract.images.docs;

import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What every {@code @AdminOnly} endpoint documents: the bearer scheme and the filter's 401 and 403. SmallRye OpenAPI
 * reads the annotations it carries as if they were written on the endpoint (or on each endpoint of a class).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@SecurityRequirement(name = OpenApiDefinitions.ADMIN_KEY)
@APIResponse(responseCode = "401", ref = OpenApiDefinitions.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = OpenApiDefinitions.FORBIDDEN)
@APIResponse(responseCode = "429", ref = OpenApiDefinitions.RATE_LIMITED)
public @interface AdminResponses {
}
