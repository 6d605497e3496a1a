package io.zinteract.images.migration.engine;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.zinteract.images.db.Jdbc;
import io.zinteract.images.migration.job.JobRow;
import io.zinteract.images.migration.job.JobState;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The jobs this process works on, each on a thread of its own (never the event loop) running {@link JobWorker}'s loop:
 * jobs started or resumed here, continued at start, and running jobs of other replicas that this one joins.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    private final JobRepository jobs;
    private final ClaimRepository claims;
    private final JobWorker workerLoop;
    private final MigrationConfig config;
    private final Jdbc jdbc;
    private final String worker;
    private final Map<String, ActiveJob> active = new ConcurrentHashMap<>();
    private final List<Consumer<String>> releaseListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService threads;
    private volatile boolean joining;

    public JobRunner(JobRepository jobs, ClaimRepository claims, JobWorker workerLoop, MigrationConfig config, Jdbc jdbc,
            WorkerId worker, MeterRegistry registry) {
        this.jobs = jobs;
        this.claims = claims;
        this.workerLoop = workerLoop;
        this.config = config;
        this.jdbc = jdbc;
        this.worker = worker.value();
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "migration-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (JobState state : List.of(JobState.RUNNING, JobState.PAUSED, JobState.WAITING_FOR_STORAGE)) {
            Gauge.builder("migration.job.state", active, jobs1 -> jobs1.values().stream()
                    .filter(j -> j.state() == state).count())
                    .tag("state", state.wire()).description("Jobs of this process in this state").register(registry);
        }
    }

    /**
     * Starts working on a job whose row says it runs (just inserted, resumed, or found running by another replica).
     * Returns the job this process already works on if there is one: the joiner and a request may race to it.
     */
    public ActiveJob launch(JobRow row) {
        ActiveJob job = new ActiveJob(row, config.listedItems());
        ActiveJob existing = active.putIfAbsent(job.id, job);
        if (existing != null) {
            return existing;
        }
        threads.submit(() -> workerLoop.run(job, this::released));
        return job;
    }

    /** Calls {@code listener} with a job's id whenever this process stops working on it (ended, paused, left). */
    public void onRelease(Consumer<String> listener) {
        releaseListeners.add(listener);
    }

    public Optional<ActiveJob> active(String id) {
        return Optional.ofNullable(active.get(id));
    }

    public Collection<ActiveJob> activeJobs() {
        return List.copyOf(active.values());
    }

    /**
     * Stops every job where it stands and stops joining others, writing nothing about the jobs: the database then
     * looks as after a crash (state {@code running}, results since the last fold in the items table), except that this
     * replica's claims are released so that another replica, or the next start, continues them at once. Images in
     * flight finish first, so no write is cut in half. Used at shutdown.
     */
    public void halt() {
        joining = false;
        List<ActiveJob> running = List.copyOf(active.values());
        running.forEach(job -> job.request(ActiveJob.Control.HALT));
        for (ActiveJob job : running) {
            try {
                job.ended.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                LOG.warnf("Job %s did not stop within 60 s", job.id);
            }
        }
    }

    /**
     * Continues the jobs a stopped process left running or waiting, then joins running jobs from now on; called at
     * start. Returns the ids of the jobs continued.
     */
    public List<String> resumeInterrupted() {
        if (!jdbc.postgresql()) {
            // SQLite belongs to this one process: any claim left is a dead predecessor's and need not wait for its lease.
            claims.releaseAll();
        }
        List<String> resumed = new ArrayList<>();
        for (JobRow row : jobs.findInterrupted()) {
            if (active.containsKey(row.id())) {
                continue;
            }
            LOG.infof("Resuming %s job %s from cursor %s (%d of %d done)", row.action().wire(), row.id(),
                    row.cursor(), row.processed(), row.total());
            jobs.transition(row.id(), JobState.RUNNING, null, System.currentTimeMillis());
            launch(withState(row, JobState.RUNNING));
            resumed.add(row.id());
        }
        joining = true;
        return resumed;
    }

    /** Helps with the running jobs this replica does not work on yet (started or resumed by another replica). */
    void joinRunning() {
        if (!joining) {
            return;
        }
        for (JobRow row : jobs.findInterrupted()) {
            if (joining && !active.containsKey(row.id())) {
                LOG.infof("Joining %s job %s as %s", row.action().wire(), row.id(), worker);
                launch(row);
            }
        }
    }

    public static JobRow withState(JobRow r, JobState state) {
        return new JobRow(r.id(), r.action(), state, r.options(), r.mutating(), r.cursor(), r.total(), r.processed(),
                r.succeeded(), r.skipped(), r.failed(), r.bytes(), r.report(), null, r.createdAt(), r.startedAt(),
                null, r.updatedAt());
    }

    @PreDestroy
    void close() {
        halt();
        threads.shutdownNow();
    }

    /** Forgets a job this process stopped working on, before anyone waiting for its end hears of it. */
    private void released(ActiveJob job) {
        active.remove(job.id, job);
        for (Consumer<String> listener : releaseListeners) {
            try {
                listener.accept(job.id);
            } catch (RuntimeException e) {
                LOG.warnf("Job %s: a listener failed on its release: %s", job.id, e.getMessage());
            }
        }
    }
}
