package io.zinteract.images.storage;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * How every SDK call is made, for the beans that wrap the client: lazily (a retry sends the request again), answered on
 * the caller's context ({@link CallerContext}), and with SDK failures turned into ours, deciding once whether a failure
 * is worth retrying.
 */
public final class StoreCalls {

    private StoreCalls() {
    }

    public static <T> Uni<T> call(R2Config config, String operation, String target, Supplier<CompletableFuture<T>> request) {
        return CallerContext.deliverOnCaller(Uni.createFrom().deferred(() -> {
            requireConfigured(config);
            return Uni.createFrom().completionStage(request.get());
        })).onFailure().transform(e -> translate(operation, target, e));
    }

    /** Like {@link #call}, but an answer of 404 is an empty result, so "not found" never counts as a failure. */
    public static <T> Uni<Optional<T>> optional(R2Config config, String operation, String target,
            Supplier<CompletableFuture<T>> request) {
        return call(config, operation, target, request).map(Optional::of)
                .onFailure(e -> e instanceof StorageException s && s.status() == 404).recoverWithItem(Optional.empty());
    }

    /** Fails fast, before the lazily built client is touched, when there is no R2 to talk to. */
    static void requireConfigured(R2Config config) {
        if (!config.configured()) {
            throw new StorageNotConfiguredException();
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static StorageException translate(String operation, String target, Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof StorageException already) {
            return already;
        }
        if (t instanceof SdkServiceException service) {
            int status = service.statusCode();
            String code = service instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws
                    && aws.awsErrorDetails() != null ? aws.awsErrorDetails().errorCode() : null;
            String message = operation + " " + target + " failed: HTTP " + status + (code == null ? "" : " " + code);
            return status == 429 || status >= 500
                    ? new TransientStorageException(message, status, t)
                    : new StorageException(message, status, t);
        }
        if (t instanceof SdkClientException || t instanceof java.io.IOException
                || t instanceof java.util.concurrent.TimeoutException) {
            return new TransientStorageException(operation + " " + target + " failed: " + rootMessage(t), 0, t);
        }
        return new StorageException(operation + " " + target + " failed: " + rootMessage(t), 0, t);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.length() > 200 ? message.substring(0, 200) : message;
    }
}
