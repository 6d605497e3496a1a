package io.zinteract.images.tiering;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.docs.AdminResponses;
import io.zinteract.images.docs.OpenApiDefinitions;
import io.zinteract.images.security.AdminOnly;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code POST /api/admin/storage-class}: re-tiers existing R2 objects. Changes data in bulk, so admin only. */
@Path("/api/admin/storage-class")
@Tag(name = OpenApiDefinitions.TAG_ADMIN)
public class StorageClassResource {

    private final RetierService service;

    public StorageClassResource(RetierService service) {
        this.service = service;
    }

    @POST
    @AdminOnly
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Re-tier existing R2 objects older than olderThanDays to storageClass (copy in place)",
            description = "STANDARD_IA has a 30-day minimum storage duration and a retrieval fee; see the README.")
    @AdminResponses
    @APIResponse(responseCode = "200", description = "What was (or, with dryRun, would be) re-tiered",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RetierReport.class)))
    @APIResponse(responseCode = "400", ref = OpenApiDefinitions.BAD_REQUEST)
    @APIResponse(responseCode = "503", ref = OpenApiDefinitions.UNAVAILABLE)
    public Uni<RetierReport> retier(RetierRequest request) {
        return service.retier(request);
    }
}
