package io.zinteract.images.migration.api;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.docs.AdminResponses;
import io.zinteract.images.docs.OpenApiDefinitions;
import io.zinteract.images.migration.view.Job;
import io.zinteract.images.security.AdminOnly;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * The migration API of the seed plan. The POST body is read as text whatever its content type, because the plan's
 * {@code curl -d} sends JSON as a form; {@link MigrationRequests} then parses it strictly.
 */
@Path("/api/migrate-images")
@Tag(name = "Migration", description = "Move legacy base64 rows into R2 as crash-safe jobs (docs/migration.md)")
public class MigrationResource {

    private final MigrationService migrations;

    public MigrationResource(MigrationService migrations) {
        this.migrations = migrations;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Readiness and statistics: R2 reachability, counts by storage, bytes, progress, current and last job")
    @APIResponse(responseCode = "200", description = "The status document")
    @APIResponse(responseCode = "503", ref = OpenApiDefinitions.UNAVAILABLE)
    public Uni<MigrationStatus> status() {
        return migrations.status();
    }

    @POST
    @AdminOnly
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start or control a job: migrate, validate, rollback, purge, backup, cleanup, pause, resume, cancel, status",
            description = "The body is JSON under any content type (the seed plan's curl -d sends a form type).")
    @AdminResponses
    @APIResponse(responseCode = "200", description = "The finished job (\"wait\": true), or the answer to a control")
    @APIResponse(responseCode = "202", description = "The job started; Location names it")
    @APIResponse(responseCode = "400", ref = OpenApiDefinitions.BAD_REQUEST)
    @APIResponse(responseCode = "409", description = "JOB_CONFLICT (member jobId: the active job) or JOB_NOT_ACTIVE")
    @APIResponse(responseCode = "503", ref = OpenApiDefinitions.UNAVAILABLE)
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
    @Operation(summary = "A job: state, counters, throughput, ETA, errors and (validate) findings")
    @APIResponse(responseCode = "200", description = "The job")
    @APIResponse(responseCode = "400", ref = OpenApiDefinitions.BAD_REQUEST)
    @APIResponse(responseCode = "404", description = "JOB_NOT_FOUND")
    public Uni<Job> job(@RestPath String id) {
        return migrations.job(id);
    }

    /**
     * Blocking only while a job nobody watches yet is read for the first time, so that an unknown id is a plain 404
     * (one cannot be sent once the stream has started). Watchers hold no database connection: see {@link JobFeeds}.
     */
    @GET
    @Blocking
    @Path("jobs/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "The job's progress as server-sent events, ending once it has ended",
            description = "Each change of the job is one event whose data is the job document; comment lines keep "
                    + "idle streams open (MIGRATION_EVENTS_HEARTBEAT). The stream ends after the event that shows the "
                    + "job completed, failed or was cancelled, at once for a job that already has.")
    @APIResponse(responseCode = "200", description = "text/event-stream of job documents")
    @APIResponse(responseCode = "400", ref = OpenApiDefinitions.BAD_REQUEST)
    @APIResponse(responseCode = "404", description = "JOB_NOT_FOUND")
    @APIResponse(responseCode = "503", description = "TOO_MANY_WATCHERS (MIGRATION_EVENTS_MAX_WATCHERS streams are open) "
            + "or MIGRATION_READS_BUSY, with Retry-After")
    public Multi<OutboundSseEvent> events(@RestPath String id, @Context Sse sse) {
        return migrations.events(id, sse);
    }
}
