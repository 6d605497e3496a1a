package io.zinteract.images.migration.engine;

import io.zinteract.images.migration.job.JobState;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The timer that lets replicas share jobs: every {@code MIGRATION_HEARTBEAT} it renews the leases of the batches this
 * replica holds (and notices those taken over) and stops the jobs that were paused or ended elsewhere; every
 * {@code MIGRATION_JOIN_INTERVAL} it joins running jobs this replica does not work on yet. Its own thread, so a busy
 * job thread or a slow store never delays a renewal.
 */
@ApplicationScoped
class ReplicaCoordinator {

    private static final Logger LOG = Logger.getLogger(ReplicaCoordinator.class);

    private final JobRunner runner;
    private final Claims claims;
    private final JobRepository jobs;
    private final MigrationConfig config;
    private ScheduledExecutorService timer;

    ReplicaCoordinator(JobRunner runner, Claims claims, JobRepository jobs, MigrationConfig config) {
        this.runner = runner;
        this.claims = claims;
        this.jobs = jobs;
        this.config = config;
    }

    /** Starts the timer; called once the schema is in place. */
    synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "migration-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long beat = config.heartbeat().toMillis();
        long join = config.joinInterval().toMillis();
        timer.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::join, join, join, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    void heartbeat() {
        for (ActiveJob job : runner.activeJobs()) {
            try {
                claims.renew(job);
                JobState stored = jobs.state(job.id).orElse(JobState.CANCELLED);
                if (!stored.active() || (stored == JobState.PAUSED && job.state() != JobState.PAUSED)) {
                    job.request(ActiveJob.Control.LEAVE);
                }
            } catch (RuntimeException e) {
                // The database did not answer: the lease is not renewed, and the job stops starting images once it
                // is no longer surely its own (ActiveJob.claimLost).
                LOG.warnf("Job %s: heartbeat failed: %s", job.id, e.getMessage());
            }
        }
    }

    private void join() {
        try {
            runner.joinRunning();
        } catch (RuntimeException e) {
            LOG.warnf("Looking for running jobs to join failed: %s", e.getMessage());
        }
    }
}
