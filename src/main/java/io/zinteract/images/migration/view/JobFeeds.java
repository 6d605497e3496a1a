package io.zinteract.images.migration.view;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.image.data.Ids;
import io.zinteract.images.migration.engine.JobRunner;
import io.zinteract.images.migration.engine.MigrationConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server-sent events of jobs: one publisher per watched job, which reads the job once per
 * {@code MIGRATION_EVENTS_INTERVAL} (within the read budget, {@link MigrationReads}) whatever the number of its
 * watchers, and sends each change to all of them; watchers themselves never touch the database. At most
 * {@code MIGRATION_EVENTS_MAX_WATCHERS} streams at once (more get TOO_MANY_WATCHERS); every stream gets a comment
 * each {@code MIGRATION_EVENTS_HEARTBEAT} so proxies keep it open, and ends after the event that shows its job ended.
 */
@ApplicationScoped
public class JobFeeds {

    private static final Logger LOG = Logger.getLogger(JobFeeds.class);
    /** How long a new watcher waits for the first read of a job nobody watches yet. */
    private static final Duration FIRST_READ = Duration.ofSeconds(30);

    private final JobViews views;
    private final MigrationConfig config;
    private final ObjectMapper json;
    private final Map<String, JobFeed> feeds = new ConcurrentHashMap<>();
    private final AtomicInteger watching = new AtomicInteger();
    private final ScheduledExecutorService timer;

    public JobFeeds(JobViews views, JobRunner runner, MigrationConfig config, ObjectMapper json, MeterRegistry registry) {
        this.views = views;
        this.config = config;
        this.json = json;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "migration-events");
            t.setDaemon(true);
            return t;
        });
        long beat = config.eventsHeartbeat().toMillis();
        timer.scheduleAtFixedRate(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        runner.onRelease(this::changed);
        Gauge.builder("migration.events.watchers", watching, AtomicInteger::get)
                .description("Streams of job events open now").register(registry);
    }

    /**
     * A new watcher's stream of the job, or TOO_MANY_WATCHERS (503) when the cap is reached, or JOB_NOT_FOUND.
     * Blocking: when nobody watches the job yet, it waits for the job's first read, so that an unknown id is a plain
     * 404 rather than a broken stream.
     */
    public Multi<OutboundSseEvent> watch(String id, Sse sse) {
        Ids.require("jobId", id);
        if (watching.incrementAndGet() > config.eventsMaxWatchers()) {
            watching.decrementAndGet();
            throw new ApiException(ErrorCode.TOO_MANY_WATCHERS, "already " + config.eventsMaxWatchers()
                    + " streams of job events are open (MIGRATION_EVENTS_MAX_WATCHERS); poll the job instead, or try later");
        }
        JobWatcher watcher = new JobWatcher(sse, watching);
        JobFeed feed;
        try {
            feed = join(id);
        } catch (RuntimeException e) {
            watcher.release();
            throw e;
        }
        return Multi.createFrom().<OutboundSseEvent>emitter(emitter -> feed.attach(watcher, emitter),
                BackPressureStrategy.LATEST).onTermination().invoke(() -> {
                    watcher.release();
                    // Not on the caller's thread: it may hold the watcher's lock, and detaching takes the feed's.
                    timer.execute(() -> feed.detach(watcher));
                });
    }

    /**
     * The open feed of the job with a place held for a watcher, else a new one from a first read of the job (a feed
     * that is over already when the job has ended: its one event is the final one).
     */
    private JobFeed join(String id) {
        for (int tries = 0; tries < 100; tries++) {
            JobFeed open = feeds.get(id);
            if (open != null && open.reserve()) {
                return open;
            }
            Job first;
            try {
                first = views.shared(id).await().atMost(FIRST_READ);
            } catch (io.smallrye.mutiny.TimeoutException e) {
                throw new ApiException(ErrorCode.MIGRATION_READS_BUSY, "the job could not be read in time; try again shortly");
            }
            JobFeed created = new JobFeed(id, this::read, this::closed);
            created.reserve();
            if (first.state().active() && feeds.putIfAbsent(id, created) != null) {
                continue;
            }
            created.publish(publishable(first));
            if (!created.ended()) {
                long every = config.eventsInterval().toMillis();
                created.polling(timer.scheduleWithFixedDelay(created::poll, every, every, TimeUnit.MILLISECONDS));
            }
            return created;
        }
        throw new IllegalStateException("no feed of job " + id + " could be joined");
    }

    private void read(JobFeed feed) {
        views.shared(feed.id).subscribe().with(job -> feed.publish(publishable(job)), failure -> {
            // The stream goes on with heartbeats; the next interval reads again.
            LOG.debugf("Job %s: reading it for its watchers failed: %s", feed.id, failure.getMessage());
            feed.readDone();
        });
    }

    /** The job as sent (all of it) and what decides whether it changed (all but the fields that move with the clock). */
    private JobFeed.Snapshot publishable(Job job) {
        ObjectNode node = json.valueToTree(job);
        String data = node.toString();
        node.remove(List.of("throughput", "etaSeconds", "updatedAt"));
        return new JobFeed.Snapshot(data, node.toString(), !job.state().active());
    }

    /** A job changed here (ended, paused, resumed): its next read starts afresh, and watchers get it at once. */
    public void changed(String id) {
        views.changed(id);
        JobFeed feed = feeds.get(id);
        if (feed != null) {
            timer.execute(feed::pollNow);
        }
    }

    private void closed(JobFeed feed) {
        feeds.remove(feed.id, feed);
    }

    private void heartbeat() {
        for (JobFeed feed : feeds.values()) {
            try {
                feed.heartbeat();
            } catch (RuntimeException e) {
                LOG.debugf("Job %s: heartbeat to watchers failed: %s", feed.id, e.getMessage());
            }
        }
    }

    /** Streams open now (for tests and the gauge). */
    int watching() {
        return watching.get();
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
    }
}
