package io.zinteract.images.tiering;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.security.AdminOnly;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code POST /api/admin/storage-class}: re-tiers existing R2 objects. Changes data in bulk, so admin only. */
@Path("/api/admin/storage-class")
public class StorageClassResource {

    private final RetierService service;

    public StorageClassResource(RetierService service) {
        this.service = service;
    }

    @POST
    @AdminOnly
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RetierReport> retier(RetierRequest request) {
        return service.retier(request);
    }
}
