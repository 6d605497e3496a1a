package io.zinteract.images.migration.view;

import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.ws.rs.sse.OutboundSseEvent;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The one publisher of a watched job: the last snapshot read, the watchers it goes to, and at most one read of the job
 * under way. It sends a snapshot only when it differs from the last one in more than the clock's fields, and once a
 * snapshot shows the job ended, sends it as the final event and closes. It closes too when its last watcher leaves.
 */
final class JobFeed {

    /** A job as sent ({@code data}), what decides whether it changed ({@code key}), and whether it is the final one. */
    record Snapshot(String data, String key, boolean end) {
    }

    final String id;
    private final Consumer<JobFeed> reader;
    private final Consumer<JobFeed> closed;
    private final Set<JobWatcher> watchers = new LinkedHashSet<>();
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private int members;
    private boolean over;
    private Snapshot last;
    private ScheduledFuture<?> polling;

    /** {@code reader} starts a read of the job that ends in {@link #publish} or {@link #readDone}. */
    JobFeed(String id, Consumer<JobFeed> reader, Consumer<JobFeed> closed) {
        this.id = id;
        this.reader = reader;
        this.closed = closed;
    }

    /** Holds a place for a watcher about to attach; false once the feed is closed. */
    synchronized boolean reserve() {
        if (over) {
            return false;
        }
        members++;
        return true;
    }

    synchronized void polling(ScheduledFuture<?> task) {
        polling = task;
        if (over) {
            task.cancel(false);
        }
    }

    synchronized boolean ended() {
        return last != null && last.end();
    }

    /** Starts sending to {@code watcher}: the last snapshot at once, and every change after it, in order. */
    synchronized void attach(JobWatcher watcher, MultiEmitter<? super OutboundSseEvent> emitter) {
        watcher.start(emitter);
        if (last != null && last.end()) {
            watcher.finish(last.data());
            return;
        }
        watchers.add(watcher);
        if (last != null) {
            watcher.send(last.data());
        }
    }

    /** The watcher's stream ended (the job ended, or the client left): the last one out closes the feed. */
    void detach(JobWatcher watcher) {
        boolean close;
        synchronized (this) {
            watchers.remove(watcher);
            members--;
            close = members <= 0 && !over;
            if (close) {
                over = true;
                if (polling != null) {
                    polling.cancel(false);
                }
            }
        }
        if (close) {
            closed.accept(this);
        }
    }

    /** Sends {@code snapshot} if the job changed; the final one ends every stream and closes the feed. */
    void publish(Snapshot snapshot) {
        boolean end = false;
        synchronized (this) {
            if (!over && (last == null || !last.key().equals(snapshot.key()))) {
                last = snapshot;
                end = snapshot.end();
                List<JobWatcher> to = List.copyOf(watchers);
                if (end) {
                    over = true;
                    watchers.clear();
                    if (polling != null) {
                        polling.cancel(false);
                    }
                }
                for (JobWatcher w : to) {
                    if (end) {
                        w.finish(snapshot.data());
                    } else {
                        w.send(snapshot.data());
                    }
                }
            }
        }
        if (end) {
            closed.accept(this);
        }
        readDone();
    }

    /** Reads the job unless a read is under way: one read per feed at a time, so snapshots arrive in order. */
    void poll() {
        if (reading.compareAndSet(false, true)) {
            reader.accept(this);
        }
    }

    /** Reads the job as soon as possible, after the read under way if there is one. */
    void pollNow() {
        again.set(true);
        poll();
    }

    void readDone() {
        reading.set(false);
        boolean stillOpen;
        synchronized (this) {
            stillOpen = !over;
        }
        if (stillOpen && again.getAndSet(false)) {
            poll();
        }
    }

    void heartbeat() {
        List<JobWatcher> to;
        synchronized (this) {
            to = List.copyOf(watchers);
        }
        to.forEach(JobWatcher::beat);
    }
}
