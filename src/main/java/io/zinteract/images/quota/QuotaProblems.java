package io.zinteract.images.quota;

import io.zinteract.images.error.ProblemMapper;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A quota refusal is rendered like every {@code ApiException} (by {@link ProblemMapper#respond}), plus
 * {@code Retry-After} when its cap resets at a known time: RFC 9110 lets a 429 say when to come back.
 */
public class QuotaProblems {

    @ServerExceptionMapper
    public Response quota(QuotaExceededException e, UriInfo uri) {
        Response response = ProblemMapper.respond(e.code(), e.getMessage(), e.extensions(), uri);
        return e.retryAfterSeconds() == null ? response
                : Response.fromResponse(response).header("Retry-After", Long.toString(e.retryAfterSeconds())).build();
    }
}
