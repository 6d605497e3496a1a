package io.zinteract.images.migration.view;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.migration.engine.MigrationConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The database budget of the migration's read-only views (status, jobs, their events): they run on a few threads of
 * their own, {@code MIGRATION_READ_CONNECTIONS}, each holding at most one connection at a time, so however many
 * clients poll or watch, the rest of the pool stays for uploads, image reads and the jobs' own writes and heartbeats.
 * Equal reads asked for while one is under way share its answer instead of queueing another: a thousand clients
 * polling one job cost one read at a time. A read that cannot even wait its turn is refused with a 503.
 */
@ApplicationScoped
public class MigrationReads {

    /** Distinct reads that may wait for a thread; a burst beyond it gets MIGRATION_READS_BUSY. */
    static final int QUEUE = 64;

    private final ThreadPoolExecutor threads;
    private final Map<String, CompletableFuture<Object>> inFlight = new ConcurrentHashMap<>();

    public MigrationReads(MigrationConfig config) {
        AtomicInteger n = new AtomicInteger();
        int size = Math.max(1, config.readConnections());
        this.threads = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "migration-read-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        threads.allowCoreThreadTimeOut(true);
    }

    /**
     * The result of {@code work}, run on the read threads, or of the equal read ({@code key}) already under way. Every
     * caller gets a copy of the shared answer, so one that cancels (a client gone) cancels nothing for the others.
     */
    @SuppressWarnings("unchecked")
    public <T> Uni<T> read(String key, Supplier<T> work) {
        return Uni.createFrom().completionStage(() -> ((CompletableFuture<T>) shared(key, work)).copy());
    }

    private CompletableFuture<Object> shared(String key, Supplier<?> work) {
        CompletableFuture<Object> mine = new CompletableFuture<>();
        CompletableFuture<Object> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        try {
            threads.execute(() -> {
                try {
                    mine.complete(work.get());
                } catch (Throwable e) {
                    mine.completeExceptionally(e);
                } finally {
                    inFlight.remove(key, mine);
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(key, mine);
            mine.completeExceptionally(new ApiException(ErrorCode.MIGRATION_READS_BUSY,
                    "too many migration status reads are waiting for the database; try again shortly"));
        }
        return mine;
    }

    /**
     * Lets the next read of {@code key} start afresh instead of sharing one under way, which may have begun before
     * a change the caller must see (a job that just ended, paused or resumed).
     */
    void forget(String key) {
        inFlight.remove(key);
    }

    @PreDestroy
    void close() {
        threads.shutdownNow();
    }
}
