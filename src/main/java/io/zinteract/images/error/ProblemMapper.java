package io.zinteract.images.error;

import io.zinteract.images.storage.StorageNotConfiguredException;
import io.zinteract.images.storage.StorageException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.zinteract.images.db.Jdbc;
import jakarta.ws.rs.WebApplicationException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where failures become HTTP answers: always {@code application/problem+json} with a stable code,
 * never an exception class name or a stack trace. Unexpected failures are logged here with their stack trace.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    public static final String RETRY_AFTER_SECONDS = "10";

    private final FrameworkLimits limits;

    public ProblemMapper(FrameworkLimits limits) {
        this.limits = limits;
    }

    @ServerExceptionMapper
    public Response api(ApiException e, UriInfo uri) {
        Response response = respond(e.code(), e.getMessage(), e.extensions(), uri);
        if (e.code() == ErrorCode.RANGE_NOT_SATISFIABLE && e.extensions().get("contentRange") instanceof String range) {
            // RFC 9110 §15.5.17: a 416 says how long the representation is, in the header clients read.
            return Response.fromResponse(response).header("Content-Range", range).build();
        }
        return e.code().status() == 503 ? retryLater(response) : response;
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri, HttpHeaders headers, HttpServerRequest request) {
        if (e.getCause() instanceof JsonProcessingException json) {
            // The JSON reader wraps syntax errors (a truncated body) in a bare 400; say what it is.
            return json(json, uri);
        }
        int status = e.getResponse().getStatus();
        ErrorCode code = switch (status) {
            case 400 -> ErrorCode.INVALID_REQUEST;
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 406 -> ErrorCode.NOT_ACCEPTABLE;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_REQUEST;
        };
        if (status >= 500) {
            LOG.error("Request failed", e);
        }
        if (status == 413 && FrameworkLimits.isMultipart(headers)) {
            return limits.formTooLarge(request, uri);
        }
        Response response = respond(code, status >= 500 ? code.title() : FrameworkLimits.detail(status, request, headers),
                Map.of(), uri);
        if (status == 405 && e.getResponse().getHeaderString("Allow") != null) {
            return Response.fromResponse(response).header("Allow", e.getResponse().getHeaderString("Allow")).build();
        }
        return response;
    }

    /** More specific than the framework's own mapper for this type, which answers 400 with an empty body. */
    @ServerExceptionMapper
    public Response jsonShape(MismatchedInputException e, UriInfo uri) {
        return json(e, uri);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr();
        return respond(ErrorCode.MALFORMED_JSON, "The body is not valid JSON of the expected shape" + where, Map.of(), uri);
    }

    /**
     * Our own code wraps I/O failures in unchecked exceptions, so a bare {@link IOException} here comes from the
     * framework reading the request body: a truncated or malformed upload, the client's fault.
     */
    @ServerExceptionMapper
    public Response unreadableBody(IOException e, UriInfo uri) {
        String message = String.valueOf(e.getMessage());
        if (message.toLowerCase(java.util.Locale.ROOT).contains("multipart")) {
            return respond(ErrorCode.MALFORMED_MULTIPART, "The multipart body is truncated or malformed", Map.of(), uri);
        }
        return respond(ErrorCode.INVALID_REQUEST, "The request body could not be read", Map.of(), uri);
    }

    @ServerExceptionMapper
    public Response storage(StorageException e, UriInfo uri) {
        if (e instanceof StorageNotConfiguredException) {
            return respond(ErrorCode.STORAGE_NOT_CONFIGURED, e.getMessage(), Map.of(), uri);
        }
        // The message names the operation and the object key: for the log only. Problem details never carry a key,
        // the bucket or the endpoint.
        LOG.warnf("Object store call failed: %s", e.getMessage());
        return retryLater(respond(ErrorCode.STORAGE_UNAVAILABLE, e.transientFailure()
                ? "The object store could not complete the request; try again later"
                : "The object store refused the request (HTTP " + e.status() + ")", Map.of(), uri));
    }

    @ServerExceptionMapper
    public Response breakerOpen(CircuitBreakerOpenException e, UriInfo uri) {
        return retryLater(respond(ErrorCode.STORAGE_UNAVAILABLE,
                "The object store failed repeatedly; calls are paused for a few seconds", Map.of(), uri));
    }

    @ServerExceptionMapper
    public Response timeout(TimeoutException e, UriInfo uri) {
        return retryLater(respond(ErrorCode.STORAGE_UNAVAILABLE, "The object store did not answer in time", Map.of(), uri));
    }

    @ServerExceptionMapper
    public Response database(Jdbc.DataAccessException e, UriInfo uri) {
        LOG.error("Database call failed", e);
        return retryLater(respond(ErrorCode.DATABASE_UNAVAILABLE, "The database could not complete the request",
                Map.of(), uri));
    }

    /** The multipart parser's field-count limit is a bare RuntimeException; every other one is unexpected. */
    @ServerExceptionMapper
    public Response runtime(RuntimeException e, UriInfo uri) {
        if (FrameworkLimits.isTooManyFields(e)) {
            return limits.tooManyFields(uri);
        }
        return unexpected(e, uri);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        LOG.error("Unexpected failure", e);
        return respond(ErrorCode.INTERNAL_ERROR, "The request failed unexpectedly; the server log has the details",
                Map.of(), uri);
    }

    public static Response respond(ErrorCode code, String detail, Map<String, Object> extensions, UriInfo uri) {
        Map<String, Object> ext = extensions == null || extensions.isEmpty() ? null : new LinkedHashMap<>(extensions);
        String instance = uri == null ? null : uri.getRequestUri().getRawPath();
        Problem problem = new Problem(code.type(), code.title(), code.status(), detail, code.name(), instance, ext);
        return Response.status(code.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    private static Response retryLater(Response response) {
        return Response.fromResponse(response).header("Retry-After", RETRY_AFTER_SECONDS).build();
    }
}
