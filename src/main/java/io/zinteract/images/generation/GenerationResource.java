package io.zinteract.images.generation;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.image.ImageResponses;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** {@code POST /api/generate-image}: the seed plan's generation endpoint, with dual storage. */
@Path("/api/generate-image")
public class GenerationResource {

    private final GenerationService generation;
    private final ImageResponses responses;

    public GenerationResource(GenerationService generation, ImageResponses responses) {
        this.generation = generation;
        this.responses = responses;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> generate(GenerationRequest request, UriInfo uri) {
        return generation.generate(request).map(result -> {
            var location = responses.serviceUri(uri, result.id());
            GenerationResult body = result.imageUrl() != null ? result : new GenerationResult(result.id(),
                    location.toString(), result.originalUrl(), result.storage(), result.generation());
            return Response.created(location).entity(body).build();
        });
    }
}
