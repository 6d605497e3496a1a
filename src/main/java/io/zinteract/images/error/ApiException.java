package io.zinteract.images.error;

import java.util.Map;

/** A failure with a meaning for the client: rendered by {@link ProblemMapper} as {@code application/problem+json}. */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final Map<String, Object> extensions;

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, Map.of(), null);
    }

    public ApiException(ErrorCode code, String detail, Map<String, Object> extensions) {
        this(code, detail, extensions, null);
    }

    public ApiException(ErrorCode code, String detail, Map<String, Object> extensions, Throwable cause) {
        super(detail, cause);
        this.code = code;
        this.extensions = extensions;
    }

    public ErrorCode code() {
        return code;
    }

    /** Extra members of the problem document, e.g. {@code jobId} on a conflict. */
    public Map<String, Object> extensions() {
        return extensions;
    }
}
