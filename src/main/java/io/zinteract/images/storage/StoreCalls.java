package io.zinteract.images.storage;

import io.smallrye.mutiny.Uni;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * How every SDK call is made, for the beans that wrap the client: lazily (a retry sends the request again), answered on
 * the caller's context ({@link CallerContext}), and with SDK failures turned into ours ({@link StorageErrors}).
 */
final class StoreCalls {

    private StoreCalls() {
    }

    static <T> Uni<T> call(R2Config config, String operation, String target, Supplier<CompletableFuture<T>> request) {
        return CallerContext.deliverOnCaller(Uni.createFrom().deferred(() -> {
            requireConfigured(config);
            return Uni.createFrom().completionStage(request.get());
        })).onFailure().transform(e -> StorageErrors.translate(operation, target, e));
    }

    /** Like {@link #call}, but an answer of 404 is an empty result, so "not found" never counts as a failure. */
    static <T> Uni<Optional<T>> optional(R2Config config, String operation, String target,
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
}
