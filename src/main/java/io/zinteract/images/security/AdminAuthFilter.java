package io.zinteract.images.security;

import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.error.ProblemMapper;
import io.zinteract.images.ratelimit.RateLimiter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * Guards {@link AdminOnly} endpoints. No or malformed credentials: 401 with a Bearer challenge; a wrong key: 401 as
 * well (the client may retry with the right one); no key configured on the service: 403, since no credential could
 * help, unless {@code ADMIN_ALLOW_UNAUTHENTICATED} is set for development. Keys are compared in constant time and
 * never logged or echoed. Wrong keys are limited per address ({@code RATE_LIMIT_ADMIN_FAILURES}).
 */
public class AdminAuthFilter {

    private static final String PREFIX = "Bearer ";
    private static final String CHALLENGE = "Bearer realm=\"r2-image-service admin\"";

    private final AdminConfig config;
    private final RateLimiter limiter;

    public AdminAuthFilter(AdminConfig config, RateLimiter limiter) {
        this.config = config;
        this.limiter = limiter;
    }

    /**
     * An address that has spent its wrong-key allowance (RATE_LIMIT_ADMIN_FAILURES) is refused 429 before its key is
     * even compared, so guessing goes no faster than the limit; only a wrong key spends the allowance.
     */
    @AdminOnly
    @ServerRequestFilter
    public Uni<Response> requireAdminKey(ContainerRequestContext request, HttpServerRequest http) {
        Optional<String> key = config.apiKey().filter(k -> !k.isBlank());
        if (key.isEmpty()) {
            return Uni.createFrom().item(config.allowUnauthenticated() ? null
                    : ProblemMapper.respond(ErrorCode.ADMIN_DISABLED,
                            "admin endpoints are disabled: set ADMIN_API_KEY (or ADMIN_ALLOW_UNAUTHENTICATED=true on a "
                                    + "developer machine)", Map.of(), null));
        }
        return limiter.adminRefusal(http, request.getUriInfo()).chain(refused -> {
            if (refused != null) {
                return Uni.createFrom().item(refused);
            }
            String header = request.getHeaderString("Authorization");
            if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
                return Uni.createFrom().item(challenge("send Authorization: Bearer <ADMIN_API_KEY>"));
            }
            byte[] presented = header.substring(PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(presented, key.get().getBytes(StandardCharsets.UTF_8))) {
                return limiter.adminFailed(http).replaceWith(challenge("the admin key is not valid"));
            }
            return Uni.createFrom().nullItem();
        });
    }

    private static Response challenge(String detail) {
        return Response.fromResponse(ProblemMapper.respond(ErrorCode.UNAUTHORIZED, detail, Map.of(), null))
                .header("WWW-Authenticate", CHALLENGE).build();
    }
}
