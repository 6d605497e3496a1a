package io.zinteract.images.migration;

import io.zinteract.images.storage.StorageException;
import io.zinteract.images.storage.StorageNotConfiguredException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import java.util.concurrent.CompletionException;

/** Tells a store outage, which pauses a job, from a failure of one image, which is reported and passed over. */
final class StorageFailures {

    private StorageFailures() {
    }

    /**
     * True when the store as a whole did not answer: retries ran out on 5xx, 429, I/O errors or time-outs, or the
     * breaker is open. Marking images failed then would fail thousands of good images for one outage.
     */
    static boolean outage(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof StorageNotConfiguredException) {
            return false;
        }
        return t instanceof CircuitBreakerOpenException || t instanceof TimeoutException
                || t instanceof java.util.concurrent.TimeoutException
                || (t instanceof StorageException storage && storage.transientFailure());
    }

    /** True for failures no image can get past: no store configured, or credentials refused (401, 403). */
    static boolean fatal(Throwable failure) {
        Throwable t = unwrap(failure);
        return t instanceof StorageNotConfiguredException
                || (t instanceof StorageException storage && (storage.status() == 401 || storage.status() == 403));
    }

    static String message(Throwable failure) {
        Throwable t = unwrap(failure);
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.length() > 300 ? message.substring(0, 300) : message;
    }

    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
