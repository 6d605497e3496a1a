package io.zinteract.images.ratelimit;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.error.Problem;
import io.zinteract.images.error.ProblemMapper;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Refusals as answers: the problem document plus {@code Retry-After} (whole seconds, rounded up) and the
 * {@code RateLimit}/{@code RateLimit-Policy} headers. More specific than {@link ProblemMapper}'s mapper of
 * {@code ApiException}, whose fixed {@code Retry-After} would be wrong here.
 */
public class RateLimitProblems {

    static final String POLICY = "RateLimit-Policy";
    static final String RATE_LIMIT = "RateLimit";

    @ServerExceptionMapper
    public Response limited(RateLimitedException e, UriInfo uri, HttpServerRequest request) {
        // The route filter gave the answer the address bucket's headers; the bucket that refused speaks instead.
        request.response().headers().remove(POLICY).remove(RATE_LIMIT);
        return response(e, uri);
    }

    static Response response(RateLimitedException e, UriInfo uri) {
        Decision d = e.decision();
        return Response.fromResponse(ProblemMapper.respond(e.code(), e.getMessage(), e.extensions(), uri))
                .header("Retry-After", Long.toString(d.retryAfterSeconds()))
                .header(POLICY, d.policyHeader()).header(RATE_LIMIT, d.rateLimitHeader()).build();
    }

    /** The headers a passing request's answer carries. */
    static void passed(RoutingContext ctx, Decision d) {
        if (d.known()) {
            ctx.response().putHeader(POLICY, d.policyHeader()).putHeader(RATE_LIMIT, d.rateLimitHeader());
        }
    }

    /**
     * Answers 429 from the route filter, before the body is read; the body is then read and dropped, so the client
     * sees the answer instead of a reset connection (as the memory admission's 503 does).
     */
    static void refuse(RoutingContext ctx, Decision d) {
        if (ctx.response().closed() || ctx.response().ended()) {
            return;
        }
        ErrorCode code = ErrorCode.RATE_LIMITED;
        JsonObject problem = new JsonObject().put("type", code.type()).put("title", code.title())
                .put("status", code.status()).put("detail", RateLimitedException.detail(code, d)).put("code", code.name())
                .put("instance", ctx.request().path());
        RateLimitedException.members(d).forEach(problem::put);
        ctx.request().handler(dropped -> {
        });
        ctx.request().resume();
        ctx.response().setStatusCode(code.status())
                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Retry-After", Long.toString(d.retryAfterSeconds()))
                .putHeader(POLICY, d.policyHeader()).putHeader(RATE_LIMIT, d.rateLimitHeader())
                .end(problem.encode());
    }
}
