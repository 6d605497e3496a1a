package io.zinteract.images.migration.view;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.migration.engine.JobLedger;
import io.zinteract.images.migration.engine.JobRepository;
import io.zinteract.images.migration.engine.JobRunner;
import io.zinteract.images.migration.engine.MigrationConfig;
import io.zinteract.images.migration.job.JobRow;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A job as the API shows it, whichever replicas work on it: from the database, never from one process's memory.
 * {@link #shared} is the read clients trigger (GET, events), within the read budget of {@link MigrationReads};
 * {@link #now} is for the answers to controls, which must show their own effect.
 */
@ApplicationScoped
public class JobViews {

    private final JobRepository jobs;
    private final JobLedger ledger;
    private final MigrationReads reads;
    private final MigrationConfig config;

    public JobViews(JobRepository jobs, JobLedger ledger, MigrationReads reads, MigrationConfig config, JobRunner runner) {
        this.jobs = jobs;
        this.ledger = ledger;
        this.reads = reads;
        this.config = config;
        // A read under way when a job ends here may have begun before: the next reader must not share it.
        runner.onRelease(this::changed);
    }

    /** The job now, read on the read threads and shared with equal reads under way. Fails with JOB_NOT_FOUND. */
    public Uni<Job> shared(String id) {
        return reads.read(key(id), () -> now(id));
    }

    /** Makes the next {@link #shared} read of the job start afresh, after a change its readers must see. */
    void changed(String id) {
        reads.forget(key(id));
    }

    /** The job now, on the caller's thread (blocking). Fails with JOB_NOT_FOUND. */
    public Job now(String id) {
        return show(ledger.live(id).orElseThrow(() -> new ApiException(ErrorCode.JOB_NOT_FOUND, "no job with id " + id)));
    }

    public Job show(JobRow row) {
        return Job.of(row, jobs.failures(row.id(), config.listedItems()), System.currentTimeMillis(),
                ledger.shares(row.id()));
    }

    private static String key(String id) {
        return "job:" + id;
    }
}
