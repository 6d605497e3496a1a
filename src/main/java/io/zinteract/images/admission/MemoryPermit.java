package io.zinteract.images.admission;

import java.util.concurrent.atomic.AtomicBoolean;

/** Bytes granted by {@link MemoryBudget}; released exactly once, however many paths try. */
public final class MemoryPermit implements AutoCloseable {

    private final MemoryBudget budget;
    private final long bytes;
    private final AtomicBoolean released = new AtomicBoolean();

    MemoryPermit(MemoryBudget budget, long bytes) {
        this.budget = budget;
        this.bytes = bytes;
    }

    public long bytes() {
        return bytes;
    }

    public void release() {
        if (released.compareAndSet(false, true)) {
            budget.give(bytes);
        }
    }

    @Override
    public void close() {
        release();
    }
}
