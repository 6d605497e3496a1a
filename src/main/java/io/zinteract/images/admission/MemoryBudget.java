package io.zinteract.images.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Counts the bytes of images that requests and migration items hold in memory, against a budget derived from the
 * maximum heap. A reservation that does not fit waits in line (first come, first served, so a large image is not
 * starved by small ones) for a bounded time on a timer, never on a blocked thread, and then fails with
 * {@link ErrorCode#SERVER_BUSY}: a burst is answered 503 with {@code Retry-After} instead of an out-of-memory error.
 */
@ApplicationScoped
public class MemoryBudget {

    private static final Logger LOG = Logger.getLogger(MemoryBudget.class);

    private final long capacity;
    private final Duration wait;
    private final ScheduledExecutorService timer;
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private long used;
    private Counter refused;

    @Inject
    public MemoryBudget(MemoryConfig config, MeterRegistry registry) {
        this(capacity(config.budgetBytes(), config.budgetFraction(), Runtime.getRuntime().maxMemory()),
                config.admissionWait());
        Gauge.builder("memory.budget.bytes", this, MemoryBudget::capacity).register(registry);
        Gauge.builder("memory.in.use.bytes", this, MemoryBudget::inUse).register(registry);
        refused = registry.counter("memory.admission.refused");
        LOG.infof("Memory budget for images in flight: %d bytes (max heap %d)", capacity, Runtime.getRuntime().maxMemory());
    }

    MemoryBudget(long capacity, Duration wait) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("the memory budget must be positive, is " + capacity);
        }
        this.capacity = capacity;
        this.wait = wait;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "memory-budget-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** The budget from the settings; a value that would admit nothing stops the start with the variable to fix. */
    static long capacity(java.util.OptionalLong bytes, double fraction, long maxHeap) {
        if (bytes.isPresent() && bytes.getAsLong() <= 0) {
            throw new IllegalArgumentException("MEMORY_BUDGET_BYTES must be a positive number of bytes");
        }
        if (bytes.isEmpty() && !(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("MEMORY_BUDGET_FRACTION must be above 0 and at most 1");
        }
        return bytes.orElse((long) (maxHeap * fraction));
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    public long capacity() {
        return capacity;
    }

    public synchronized long inUse() {
        return used;
    }

    /** Reserves {@code bytes} (at most the whole budget), waiting up to the configured admission wait. */
    public Uni<MemoryPermit> reserve(long bytes) {
        return reserve(bytes, wait);
    }

    /**
     * Reserves {@code bytes}, waiting up to {@code maxWait}. A subscriber that cancels while waiting leaves the line;
     * one that cancels just as its bytes were granted gives them back.
     */
    public Uni<MemoryPermit> reserve(long bytes, Duration maxWait) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<MemoryPermit> granted = acquire(bytes, maxWait);
            return Uni.createFrom().completionStage(granted).onCancellation().invoke(() -> {
                if (!granted.cancel(false)) {
                    granted.thenAccept(MemoryPermit::release);
                }
            });
        });
    }

    /** The current reservation at once, or empty: for callers that have an alternative to waiting. */
    public synchronized java.util.Optional<MemoryPermit> tryReserve(long bytes) {
        long cost = cost(bytes);
        if (queue.isEmpty() && used + cost <= capacity) {
            used += cost;
            return java.util.Optional.of(new MemoryPermit(this, cost));
        }
        return java.util.Optional.empty();
    }

    CompletableFuture<MemoryPermit> acquire(long bytes, Duration maxWait) {
        long cost = cost(bytes);
        Waiter waiter;
        synchronized (this) {
            if (queue.isEmpty() && used + cost <= capacity) {
                used += cost;
                return CompletableFuture.completedFuture(new MemoryPermit(this, cost));
            }
            if (maxWait.isZero() || maxWait.isNegative()) {
                return CompletableFuture.failedFuture(busy(cost));
            }
            waiter = new Waiter(cost);
            queue.add(waiter);
        }
        waiter.timeout = timer.schedule(() -> expire(waiter), maxWait.toMillis(), TimeUnit.MILLISECONDS);
        waiter.future.whenComplete((permit, failure) -> {
            if (waiter.future.isCancelled()) {
                leave(waiter);
            }
        });
        return waiter.future;
    }

    private long cost(long bytes) {
        return Math.max(1, Math.min(bytes, capacity));
    }

    private void expire(Waiter waiter) {
        if (leave(waiter)) {
            waiter.future.completeExceptionally(busy(waiter.cost));
        }
    }

    /** Takes a waiter out of the line; whoever was behind it may now fit. */
    private boolean leave(Waiter waiter) {
        boolean removed;
        synchronized (this) {
            removed = queue.remove(waiter);
        }
        if (removed) {
            drain();
        }
        return removed;
    }

    void give(long bytes) {
        synchronized (this) {
            used -= bytes;
        }
        drain();
    }

    private void drain() {
        List<Waiter> granted = new ArrayList<>();
        synchronized (this) {
            while (!queue.isEmpty() && used + queue.peek().cost <= capacity) {
                Waiter next = queue.poll();
                used += next.cost;
                granted.add(next);
            }
        }
        for (Waiter w : granted) {
            if (w.timeout != null) {
                w.timeout.cancel(false);
            }
            MemoryPermit permit = new MemoryPermit(this, w.cost);
            if (!w.future.complete(permit)) {
                permit.release();
            }
        }
    }

    private ApiException busy(long cost) {
        if (refused != null) {
            refused.increment();
        }
        return new ApiException(ErrorCode.SERVER_BUSY, "the service is holding as many images in memory as it may ("
                + capacity + " bytes, MEMORY_BUDGET_BYTES); retry shortly", Map.of("budgetBytes", capacity,
                        "requestedBytes", cost));
    }

    private static final class Waiter {
        final long cost;
        final CompletableFuture<MemoryPermit> future = new CompletableFuture<>();
        volatile ScheduledFuture<?> timeout;

        Waiter(long cost) {
            this.cost = cost;
        }
    }
}
