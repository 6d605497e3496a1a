package io.zinteract.images.error;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Our words for the refusals Quarkus REST raises itself, which carry only its own text ("HTTP 405 Method Not
 * Allowed", "did not match the value in @Consumes") or none: the multipart parser's limits on one field's size
 * ({@code quarkus.http.limits.max-form-attribute-size}), on the number of fields
 * ({@code quarkus.http.limits.max-parameters}) and on the whole body, and the 4xx of request matching.
 */
@ApplicationScoped
public class FrameworkLimits {

    /** FormData's message for the field-count limit, the only way to tell it from other RuntimeExceptions. */
    private static final String TOO_MANY_FIELDS = "Param limit of ";

    private final long maxFieldBytes;
    private final int maxFields;
    private final long maxBodyBytes;

    public FrameworkLimits(@ConfigProperty(name = "quarkus.http.limits.max-form-attribute-size") MemorySize maxField,
            @ConfigProperty(name = "quarkus.http.limits.max-parameters") int maxFields,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBody) {
        this.maxFieldBytes = maxField.asLongValue();
        this.maxFields = maxFields;
        this.maxBodyBytes = maxBody.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
    }

    static boolean isMultipart(HttpHeaders headers) {
        String type = headers == null ? null : headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/");
    }

    static boolean isTooManyFields(RuntimeException e) {
        return e.getClass() == RuntimeException.class && e.getMessage() != null
                && e.getMessage().startsWith(TOO_MANY_FIELDS);
    }

    Response tooManyFields(UriInfo uri) {
        return close(ProblemMapper.respond(ErrorCode.TOO_MANY_FIELDS, "the form has more than " + maxFields
                + " fields", Map.of("maxFields", maxFields), uri));
    }

    /**
     * The multipart parser raises the same bare 413 for a text field over its size limit and for a body over
     * {@code MAX_REQUEST_BYTES} (possible only when the body is chunked: a declared length over it never gets here).
     * The bytes read so far tell them apart.
     */
    Response formTooLarge(HttpServerRequest request, UriInfo uri) {
        if (request != null && request.bytesRead() > maxBodyBytes) {
            return close(ProblemMapper.respond(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is over "
                    + maxBodyBytes + " bytes (MAX_REQUEST_BYTES)", Map.of("maxBytes", maxBodyBytes), uri));
        }
        return close(ProblemMapper.respond(ErrorCode.FIELD_TOO_LARGE, "a form field is larger than " + maxFieldBytes
                + " bytes; only the file part may be larger", Map.of("maxFieldBytes", maxFieldBytes), uri));
    }

    /** Our detail for a 4xx that request matching raised, naming what the request sent. */
    static String detail(int status, HttpServerRequest request, HttpHeaders headers) {
        String method = request == null ? "this" : request.method().name();
        return switch (status) {
            case 404 -> "nothing is served at this path";
            case 405 -> "this path does not accept " + printable(method) + " requests";
            case 406 -> "this endpoint cannot answer with any type the Accept header allows ("
                    + printable(header(headers, HttpHeaders.ACCEPT)) + ")";
            case 415 -> "this endpoint does not accept a body of type " + printable(header(headers,
                    HttpHeaders.CONTENT_TYPE));
            case 401 -> "this request needs credentials";
            case 403 -> "these credentials do not allow this request";
            case 413 -> "the request body is larger than this endpoint accepts";
            default -> "the request cannot be processed as sent";
        };
    }

    /** The multipart limits leave the rest of the body unread: the connection cannot carry another request. */
    private static Response close(Response response) {
        return Response.fromResponse(response).header("Connection", "close").build();
    }

    private static String header(HttpHeaders headers, String name) {
        String value = headers == null ? null : headers.getHeaderString(name);
        return value == null ? "none" : value;
    }

    private static String printable(String value) {
        String clean = value.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
    }
}
