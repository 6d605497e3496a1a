package io.zinteract.images.error;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.Map;

/** RFC 9457 problem details, with our stable {@code code} and any extension members. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "RFC 9457 problem details; extension members (e.g. maxBytes, uploadId) may "
        + "follow", additionalProperties = Schema.True.class)
public record Problem(
        @Schema(description = "URI naming the code", examples = "urn:r2-image-service:problem:image-not-found") String type,
        @Schema(description = "short summary of the code") String title,
        @Schema(description = "HTTP status") int status,
        @Schema(description = "what went wrong with this request") String detail,
        @Schema(description = "stable code clients branch on", examples = "IMAGE_NOT_FOUND") String code,
        @Schema(description = "path of the request") String instance,
        @com.fasterxml.jackson.annotation.JsonIgnore Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";

    @JsonAnyGetter
    public Map<String, Object> any() {
        return extensions;
    }
}
