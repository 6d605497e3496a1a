package io.zinteract.images.admission;

import io.smallrye.mutiny.subscription.Cancellable;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The budget's bookkeeping: what fits, who waits, in which order, and that every way out gives the bytes back. */
class MemoryBudgetTest {

    @Test
    void grantsWhatFitsAndRefusesAfterTheWait() throws Exception {
        MemoryBudget budget = new MemoryBudget(100, Duration.ofMillis(100));
        MemoryPermit a = budget.reserve(60).await().atMost(Duration.ofSeconds(1));
        assertEquals(60, budget.inUse());
        ApiException busy = assertThrows(ApiException.class, () -> budget.reserve(50).await().atMost(Duration.ofSeconds(5)));
        assertEquals(ErrorCode.SERVER_BUSY, busy.code());
        assertEquals(503, busy.code().status());
        assertEquals(60, budget.inUse(), "a refused reservation holds nothing");
        a.release();
        a.release();
        assertEquals(0, budget.inUse(), "released once however often it is released");
    }

    @Test
    void aRequestLargerThanTheBudgetRunsAloneRatherThanNever() {
        MemoryBudget budget = new MemoryBudget(100, Duration.ofMillis(100));
        MemoryPermit huge = budget.reserve(1_000).await().atMost(Duration.ofSeconds(1));
        assertEquals(100, huge.bytes());
        assertTrue(budget.tryReserve(1).isEmpty());
        huge.close();
        assertEquals(0, budget.inUse());
    }

    @Test
    void waitersAreServedInOrderWhenRoomComes() throws Exception {
        MemoryBudget budget = new MemoryBudget(100, Duration.ofSeconds(5));
        MemoryPermit first = budget.reserve(100).await().atMost(Duration.ofSeconds(1));
        CompletableFuture<MemoryPermit> big = budget.acquire(80, Duration.ofSeconds(5));
        CompletableFuture<MemoryPermit> small = budget.acquire(10, Duration.ofSeconds(5));
        assertFalse(big.isDone());
        assertFalse(small.isDone(), "a small request does not overtake a large one that waits");
        first.release();
        MemoryPermit b = big.get(1, TimeUnit.SECONDS);
        MemoryPermit s = small.get(1, TimeUnit.SECONDS);
        assertEquals(90, budget.inUse());
        b.release();
        s.release();
        assertEquals(0, budget.inUse());
    }

    @Test
    void aWaiterThatTimesOutLetsTheOnesBehindItThrough() throws Exception {
        MemoryBudget budget = new MemoryBudget(100, Duration.ofSeconds(5));
        MemoryPermit held = budget.reserve(50).await().atMost(Duration.ofSeconds(1));
        CompletableFuture<MemoryPermit> tooBig = budget.acquire(80, Duration.ofMillis(100));
        CompletableFuture<MemoryPermit> fits = budget.acquire(40, Duration.ofSeconds(5));
        ExecutionException refused = assertThrows(ExecutionException.class, () -> tooBig.get(2, TimeUnit.SECONDS));
        assertInstanceOf(ApiException.class, refused.getCause());
        MemoryPermit granted = fits.get(2, TimeUnit.SECONDS);
        assertEquals(90, budget.inUse());
        granted.release();
        held.release();
        assertEquals(0, budget.inUse());
    }

    @Test
    void aCancelledWaiterHoldsNothing() throws Exception {
        MemoryBudget budget = new MemoryBudget(100, Duration.ofSeconds(5));
        MemoryPermit held = budget.reserve(100).await().atMost(Duration.ofSeconds(1));
        Cancellable waiting = budget.reserve(30).subscribe().with(permit -> {
            throw new AssertionError("cancelled before it was granted");
        }, failure -> {
        });
        waiting.cancel();
        held.release();
        Thread.sleep(50);
        assertEquals(0, budget.inUse(), "the cancelled reservation was not granted to anyone");
        assertTrue(budget.tryReserve(100).isPresent());
    }

    @Test
    void theDefaultBudgetIsAShareOfTheHeapUnlessSet() {
        assertEquals(128L << 20, MemoryBudget.capacity(java.util.OptionalLong.empty(), 0.5, 256L << 20));
        assertEquals(5_000_000, MemoryBudget.capacity(java.util.OptionalLong.of(5_000_000), 0.5, 256L << 20));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.capacity(java.util.OptionalLong.of(0), 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.capacity(java.util.OptionalLong.empty(), 1.5, 1));
    }
}
