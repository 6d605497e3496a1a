package io.zinteract.images.storage;

/**
 * A failed call to the object store. {@link #transientFailure()} tells retry and the circuit breaker whether trying
 * again can help: 5xx, 429, time-outs and I/O errors can; 4xx such as 400 and 403 cannot.
 */
public class StorageException extends RuntimeException {

    private final int status;

    public StorageException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** HTTP status the store answered, or 0 when it never answered (connection refused, time-out). */
    public int status() {
        return status;
    }

    public boolean transientFailure() {
        return status == 0 || status == 429 || status >= 500;
    }
}
