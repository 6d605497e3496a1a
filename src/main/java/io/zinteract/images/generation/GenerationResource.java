package io.zinteract.images.generation;

import io.zinteract.images.image.ImageResponses;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.docs.OpenApiDefinitions;
import io.zinteract.images.error.Problem;
import io.zinteract.images.ratelimit.Limit;
import io.zinteract.images.ratelimit.RateLimiter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /api/generate-image}: the seed plan's generation endpoint, with dual storage. */
@Path("/api/generate-image")
@Tag(name = OpenApiDefinitions.TAG_GENERATION)
public class GenerationResource {

    private final GenerationService generation;
    private final ImageResponses responses;
    private final RateLimiter limiter;

    public GenerationResource(GenerationService generation, ImageResponses responses, RateLimiter limiter) {
        this.generation = generation;
        this.responses = responses;
        this.limiter = limiter;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Generate an image with IMAGE_PROVIDER and store it like an upload")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = GenerationRequest.class)))
    @APIResponse(responseCode = "201", description = "Generated and stored; Location names the image",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = GenerationResult.class)))
    @APIResponse(responseCode = "400", ref = OpenApiDefinitions.BAD_REQUEST)
    @APIResponse(responseCode = "409", description = "CONFLICT: the row stopped being 'generating' meanwhile")
    @APIResponse(responseCode = "429", description = "RATE_LIMITED: this client (address, session or participant) is "
            + "over RATE_LIMIT_GENERATE (Retry-After, RateLimit, RateLimit-Policy; nothing stored or called); or "
            + "QUOTA_EXCEEDED: a cap of the session or persona is full, or the "
            + "session's generations of the UTC day are used up (with Retry-After: until UTC midnight); refused before "
            + "the provider is called, nothing stored. A generated image too large for a bytes cap is refused too "
            + "(the generation counts, its row is removed)")
    @APIResponse(responseCode = "502", description = "PROVIDER_FAILED: the provider answered without a usable image; "
            + "the row is kept as failed (members imageId, reason)")
    @APIResponse(responseCode = "503", description = "PROVIDER_UNAVAILABLE (with Retry-After; nothing stored), "
            + "PROVIDER_BUSY (RATE_LIMIT_PROVIDER_CALLS spent for all clients; Retry-After; nothing stored), "
            + "STORAGE_UNAVAILABLE or DATABASE_UNAVAILABLE")
    public Uni<Response> generate(GenerationRequest request, UriInfo uri) {
        return limiter.checkRequester(Limit.GENERATE, "generate-image", request == null ? null : request.sessionId(),
                request == null ? null : request.participantId()).chain(() -> generation.generate(request)).map(result -> {
            var location = responses.serviceUri(uri, result.id());
            GenerationResult body = result.imageUrl() != null ? result : new GenerationResult(result.id(),
                    location.toString(), result.originalUrl(), result.storage(), result.generation());
            return Response.created(location).entity(body).build();
        });
    }
}
