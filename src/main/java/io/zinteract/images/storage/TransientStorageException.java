package io.zinteract.images.storage;

/** A store failure that may pass: retried with backoff, and counted by the circuit breaker. */
public class TransientStorageException extends StorageException {
    public TransientStorageException(String message, int status, Throwable cause) {
        super(message, status, cause);
    }
}
