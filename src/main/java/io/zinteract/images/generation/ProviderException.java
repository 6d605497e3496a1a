package io.zinteract.images.generation;

/**
 * The provider did not produce an image. Transient failures (5xx, 429, I/O, time-outs) are retried and count
 * towards the breaker; the others (a refused prompt, a bad key) are reported at once.
 */
public class ProviderException extends RuntimeException {

    private final boolean transientFailure;

    public ProviderException(String message, boolean transientFailure) {
        super(message);
        this.transientFailure = transientFailure;
    }

    public boolean transientFailure() {
        return transientFailure;
    }

    /** A failure worth retrying: its own type, so {@code @Retry(retryOn = ...)} can select it. */
    public static class Transient extends ProviderException {
        public Transient(String message) {
            super(message, true);
        }
    }
}
