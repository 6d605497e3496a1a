package io.zinteract.images.bucket;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.docs.AdminResponses;
import io.zinteract.images.docs.OpenApiDefinitions;
import io.zinteract.images.security.AdminOnly;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/**
 * {@code /api/admin/bucket/cors}: the bucket's CORS policy, in the seed's {@code cors-policy.json} format, so
 * {@code curl -X PUT --data @cors-policy.json} does what {@code wrangler r2 bucket cors put --file} did.
 */
@Path("/api/admin/bucket/cors")
@AdminOnly
@Tag(name = OpenApiDefinitions.TAG_ADMIN)
@AdminResponses
@APIResponse(responseCode = "503", ref = OpenApiDefinitions.UNAVAILABLE)
public class BucketCorsResource {

    private final BucketCorsService cors;

    public BucketCorsResource(BucketCorsService cors) {
        this.cors = cors;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The bucket's CORS policy", description = "An empty array when the bucket has none")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = CorsRuleDocument.class)))
    public Uni<List<CorsRuleDocument>> get() {
        return cors.current();
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace the bucket's CORS policy (PutBucketCors), then read it back",
            description = "The body is cors-policy.json: an array of rules. It is validated as a whole first; a bad "
                    + "policy changes nothing. The answer is the policy the bucket now holds (GetBucketCors).")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = CorsRuleDocument.class)))
    @APIResponse(responseCode = "200", description = "The policy the bucket now holds",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = CorsRuleDocument.class)))
    @APIResponse(responseCode = "400", description = "INVALID_CORS_POLICY (member pointer says where) or "
            + "MALFORMED_JSON; nothing was sent to the bucket")
    @APIResponse(responseCode = "502", description = "STORE_REFUSED: the bucket answered 4xx to the policy")
    public Uni<List<CorsRuleDocument>> put(JsonNode policy) {
        return cors.apply(policy);
    }
}
