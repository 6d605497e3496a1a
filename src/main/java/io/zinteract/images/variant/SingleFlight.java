package io.zinteract.images.variant;

import io.smallrye.mutiny.Uni;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One computation per key however many callers ask at once: the first starts it, the others wait for its result.
 * The work runs to its end even when the caller who started it goes away, since others may be waiting for it; each
 * caller gets its own view of the result, so one caller's cancellation never cancels the others'.
 */
final class SingleFlight {

    private final ConcurrentHashMap<Object, CompletableFuture<Object>> flights = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    <T> Uni<T> once(Object key, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Object> mine = new CompletableFuture<>();
            CompletableFuture<Object> running = flights.putIfAbsent(key, mine);
            if (running == null) {
                running = mine;
                mine.whenComplete((result, failure) -> flights.remove(key, mine));
                try {
                    work.get().subscribe().with(mine::complete, mine::completeExceptionally);
                } catch (RuntimeException e) {
                    mine.completeExceptionally(e);
                }
            }
            CompletableFuture<Object> shared = running;
            return Uni.createFrom().completionStage(() -> shared.thenApply(Function.identity()))
                    .map(result -> (T) result);
        });
    }

    int inFlight() {
        return flights.size();
    }
}
