package io.zinteract.images.admission;

import io.smallrye.config.ConfigMapping;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Admission control on the bytes that requests and migration items hold in memory at once (uploads, base64 reads,
 * ingests, generations, migrated images), so a burst is answered 503 instead of running the heap out.
 */
@ConfigMapping(prefix = "memory")
public interface MemoryConfig {

    /**
     * How many bytes of images may be in memory at once ({@code MEMORY_BUDGET_BYTES}); unset means
     * {@link #budgetFraction()} of the maximum heap. Each request is charged an estimate of what it holds (a few times
     * the image: the body, its copy, its base64), not just its size.
     */
    OptionalLong budgetBytes();

    /** Share of the maximum heap used as the budget when {@code MEMORY_BUDGET_BYTES} is unset ({@code MEMORY_BUDGET_FRACTION}). */
    double budgetFraction();

    /**
     * How long a request waits for room in the budget before it is answered 503 {@code SERVER_BUSY} with
     * {@code Retry-After} ({@code MEMORY_ADMISSION_WAIT}). The wait is a timer, never a blocked thread.
     */
    Duration admissionWait();

    /**
     * How long a migration item waits for room before it is deferred to a later pass ({@code MEMORY_MIGRATION_WAIT});
     * a background job waits rather than competing with the API.
     */
    Duration migrationWait();

    /**
     * How long a request's body may stop arriving before its connection is closed ({@code HTTP_IDLE_TIMEOUT}): a
     * client that sends headers and part of a body, then nothing, would otherwise hold its connection and its memory
     * reservation for as long as it likes. Time the service spends answering is not counted.
     */
    Duration bodyIdleTimeout();
}
