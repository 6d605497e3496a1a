package io.zinteract.images.generation;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The answer of {@code POST /api/generate-image}, in the shape z-interact's endpoint used. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.ALWAYS)
public record GenerationResult(String id, String imageUrl, String originalUrl, Storage storage, Generation generation) {

    @RegisterForReflection
    public record Storage(String type, String r2Key, Details details) {
    }

    @RegisterForReflection
    public record Details(String contentType, long size, String sha256, boolean fallback) {
    }

    /** {@code placeholder} is true when no real provider drew the image, so clients can say so. */
    @RegisterForReflection
    public record Generation(String provider, String prompt, String size, String quality, boolean placeholder) {
    }
}
