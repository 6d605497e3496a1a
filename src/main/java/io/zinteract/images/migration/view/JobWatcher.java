package io.zinteract.images.migration.view;

import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client's stream of a job's events. Its methods are serialised, so a heartbeat never slips in between the final
 * event and the end of the stream. It holds one of the {@code MIGRATION_EVENTS_MAX_WATCHERS} places until released.
 */
final class JobWatcher {

    private final Sse sse;
    private final AtomicInteger places;
    private final AtomicBoolean released = new AtomicBoolean();
    private MultiEmitter<? super OutboundSseEvent> emitter;
    private boolean done;

    /** Takes one of {@code places}, which the caller has already counted. */
    JobWatcher(Sse sse, AtomicInteger places) {
        this.sse = sse;
        this.places = places;
    }

    synchronized void start(MultiEmitter<? super OutboundSseEvent> value) {
        emitter = value;
    }

    synchronized void send(String json) {
        if (!done && emitter != null) {
            emitter.emit(sse.newEventBuilder().data(String.class, json).build());
        }
    }

    /** Sends the final event and ends the stream. */
    synchronized void finish(String json) {
        if (done || emitter == null) {
            return;
        }
        done = true;
        emitter.emit(sse.newEventBuilder().data(String.class, json).build());
        emitter.complete();
    }

    /** An SSE comment line: no event for the client, but bytes on the wire for proxies that close idle streams. */
    synchronized void beat() {
        if (!done && emitter != null) {
            emitter.emit(sse.newEventBuilder().comment("keep-alive").build());
        }
    }

    /** Gives the place back; only the first call counts. */
    void release() {
        if (released.compareAndSet(false, true)) {
            places.decrementAndGet();
        }
    }
}
