package io.zinteract.images.variant;

import io.micrometer.core.instrument.MeterRegistry;
import io.zinteract.images.admission.MemoryBudget;
import io.zinteract.images.admission.MemoryPermit;
import io.zinteract.images.error.ApiException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Makes the eager presets' variants of newly stored and migrated images in the background, a few at a time (as many
 * as there are variant workers), so no upload or migration waits for them or fails with them. The line is bounded
 * (VARIANTS_QUEUE_SIZE) and keeps an image's bytes only while the memory budget has room for them (else the original
 * is read back from R2); a failure is retried with backoff up to VARIANTS_ATTEMPTS times, and an image left without
 * its variants gets them on its first request or from the {@code variants} migration action. The line lives in memory:
 * a restart forgets it, and the same two paths cover what it held.
 */
@ApplicationScoped
public class EagerVariants {

    private static final Logger LOG = Logger.getLogger(EagerVariants.class);
    static final Duration FIRST_RETRY = Duration.ofSeconds(2);

    private record Task(String imageId, byte[] original, MemoryPermit permit, int attempt) {

        void release() {
            if (permit != null) {
                permit.release();
            }
        }
    }

    private final VariantService service;
    private final MemoryBudget budget;
    private final MeterRegistry registry;
    private final int capacity;
    private final int concurrency;
    private final int attempts;
    private final ArrayDeque<Task> queue = new ArrayDeque<>();
    private final ScheduledExecutorService timer;
    private int running;

    @Inject
    public EagerVariants(VariantService service, MemoryBudget budget, MeterRegistry registry, VariantConfig config) {
        this.service = service;
        this.budget = budget;
        this.registry = registry;
        this.capacity = config.queueSize();
        this.concurrency = config.workers() > 0 ? config.workers() : Runtime.getRuntime().availableProcessors();
        this.attempts = config.attempts();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "variant-retry");
            t.setDaemon(true);
            return t;
        });
        registry.gauge("variants.eager.queue", this, EagerVariants::waiting);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    /** Queues the image; never blocks or throws. {@code original} may be null. */
    public void submit(String imageId, byte[] original) {
        MemoryPermit permit = original == null ? null : budget.tryReserve(original.length).orElse(null);
        enqueue(new Task(imageId, permit == null ? null : original, permit, 1));
    }

    private void enqueue(Task task) {
        synchronized (this) {
            if (queue.size() >= capacity) {
                task.release();
                registry.counter("variants.eager.dropped").increment();
                LOG.debugf("Eager variants of image %s dropped: the line is full (VARIANTS_QUEUE_SIZE)", task.imageId());
                return;
            }
            queue.addLast(task);
        }
        drain();
    }

    private void drain() {
        while (true) {
            Task next;
            synchronized (this) {
                if (running >= concurrency || queue.isEmpty()) {
                    return;
                }
                next = queue.pollFirst();
                running++;
            }
            Task task = next;
            try {
                service.makeMissing(task.imageId(), task.original()).subscribe()
                        .with(made -> finished(task, null), failure -> finished(task, failure));
            } catch (RuntimeException e) {
                finished(task, e);
            }
        }
    }

    private void finished(Task task, Throwable failure) {
        task.release();
        synchronized (this) {
            running--;
        }
        if (failure != null) {
            retryOrGiveUp(task, failure);
        }
        drain();
    }

    private void retryOrGiveUp(Task task, Throwable failure) {
        boolean clientSide = failure instanceof ApiException api && api.code().status() < 500;
        if (clientSide || task.attempt() >= attempts) {
            registry.counter("variants.eager.abandoned").increment();
            LOG.warnf("Eager variants of image %s not made after %d attempt(s): %s; left to its first request or "
                    + "the variants action", task.imageId(), task.attempt(), failure.getMessage());
            return;
        }
        long delay = FIRST_RETRY.toMillis() << (task.attempt() - 1);
        try {
            timer.schedule(() -> enqueue(new Task(task.imageId(), null, null, task.attempt() + 1)), delay,
                    TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            LOG.debugf("Eager variants of image %s not retried: shutting down", task.imageId());
        }
    }

    synchronized int waiting() {
        return queue.size() + running;
    }
}
