package io.zinteract.images.generation;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code POST /api/generate-image}, as the client sent it; validated by {@link GenerationService}. */
@RegisterForReflection
public record GenerationRequest(String prompt, String personaId, String personaTitle, String sessionId,
        String participantId, String tableId, String size, String quality, String provider) {
}
