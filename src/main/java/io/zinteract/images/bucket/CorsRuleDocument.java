package io.zinteract.images.bucket;

import io.zinteract.images.storage.model.BucketCorsRule;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * One rule in the seed plan's {@code cors-policy.json} format (S3's field names), as the admin API reads and answers
 * it. Absent lists and max age are left out.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@Schema(name = "CorsRule", description = "One bucket CORS rule, as in cors-policy.json")
public record CorsRuleDocument(
        @JsonProperty("AllowedOrigins") @Schema(required = true, examples = "https://yourdomain.com",
                description = "origins: scheme://host[:port], at most one * each; * alone for any") List<String> allowedOrigins,
        @JsonProperty("AllowedMethods") @Schema(required = true,
                description = "GET, PUT, POST, DELETE, HEAD") List<String> allowedMethods,
        @JsonProperty("AllowedHeaders") @Schema(description = "request headers a browser may send; at most one * each")
        List<String> allowedHeaders,
        @JsonProperty("ExposeHeaders") @Schema(description = "response headers scripts may read") List<String> exposeHeaders,
        @JsonProperty("MaxAgeSeconds") @Schema(minimum = "0", description = "how long browsers cache a preflight")
        Integer maxAgeSeconds) {

    static CorsRuleDocument of(BucketCorsRule rule) {
        return new CorsRuleDocument(rule.allowedOrigins(), rule.allowedMethods(), rule.allowedHeaders(),
                rule.exposeHeaders(), rule.maxAgeSeconds());
    }
}
