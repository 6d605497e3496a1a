package io.zinteract.images.migration;

import io.smallrye.mutiny.Multi;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.security.AdminOnly;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * The migration API of the seed plan. The POST body is read as text whatever its content type, because the plan's
 * {@code curl -d} sends JSON as a form; {@link MigrationRequests} then parses it strictly.
 */
@Path("/api/migrate-images")
public class MigrationResource {

    private final MigrationService migrations;

    public MigrationResource(MigrationService migrations) {
        this.migrations = migrations;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<MigrationStatus> status() {
        return migrations.status();
    }

    @POST
    @AdminOnly
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> post(String body, UriInfo uri) {
        return migrations.handle(body).map(reply -> {
            Response.ResponseBuilder response = Response.status(reply.status()).entity(reply.body());
            if (reply.jobId() != null) {
                response.location(uri.getBaseUriBuilder().path("api/migrate-images/jobs").path(reply.jobId()).build());
            }
            return response.build();
        });
    }

    @GET
    @Path("jobs/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Job> job(@RestPath String id) {
        return migrations.job(id);
    }

    /** Blocking only to look the job up before the stream starts (a 404 cannot be sent once it has). */
    @GET
    @Blocking
    @Path("jobs/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<Job> events(@RestPath String id) {
        return migrations.events(id);
    }
}
