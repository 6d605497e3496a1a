package io.zinteract.images.migration.api;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.image.data.Ids;
import io.zinteract.images.migration.action.MigrationRepository;
import io.zinteract.images.migration.action.RemainingBase64;
import io.zinteract.images.migration.action.VariantsAction;
import io.zinteract.images.migration.engine.ActiveJob;
import io.zinteract.images.migration.engine.JobLedger;
import io.zinteract.images.migration.engine.JobRepository;
import io.zinteract.images.migration.engine.JobRunner;
import io.zinteract.images.migration.engine.MigrationConfig;
import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.JobOptions;
import io.zinteract.images.migration.job.JobReport;
import io.zinteract.images.migration.job.JobRow;
import io.zinteract.images.migration.job.JobState;
import io.zinteract.images.migration.job.StorageFailures;
import io.zinteract.images.migration.view.Job;
import io.zinteract.images.migration.view.JobFeeds;
import io.zinteract.images.migration.view.JobViews;
import io.zinteract.images.migration.view.MigrationReads;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.variant.VariantSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What {@code /api/migrate-images} does: validates a request fully before anything starts, starts jobs (one mutating
 * job at a time), acts on pause, resume and cancel, and shows jobs and statistics.
 */
@ApplicationScoped
class MigrationService {

    private final MigrationRequests requests;
    private final JobRepository jobs;
    private final JobRunner runner;
    private final JobLedger ledger;
    private final MigrationRepository images;
    private final R2Storage storage;
    private final ServiceConfig service;
    private final MigrationConfig config;
    private final RemainingBase64 remaining;
    private final JobViews views;
    private final JobFeeds feeds;
    private final MigrationReads reads;
    private final VariantSettings variants;
    private final String dbKind;

    MigrationService(MigrationRequests requests, JobRepository jobs, JobRunner runner, JobLedger ledger,
            MigrationRepository images,
            R2Storage storage, ServiceConfig service, MigrationConfig config, RemainingBase64 remaining,
            JobViews views, JobFeeds feeds, MigrationReads reads, VariantSettings variants,
            @ConfigProperty(name = "quarkus.datasource.db-kind") String dbKind) {
        this.requests = requests;
        this.jobs = jobs;
        this.runner = runner;
        this.ledger = ledger;
        this.images = images;
        this.storage = storage;
        this.service = service;
        this.config = config;
        this.remaining = remaining;
        this.views = views;
        this.feeds = feeds;
        this.reads = reads;
        this.variants = variants;
        this.dbKind = dbKind;
    }

    /** The answer to a POST: its status and body (a job, or the statistics for {@code status}). */
    public record Reply(int status, Object body, String jobId) {
    }

    public Uni<Reply> handle(String body) {
        MigrationRequest request = requests.parse(body);
        return switch (request.action()) {
            case PAUSE, CANCEL -> control(request);
            case RESUME -> resume(request);
            case STATUS -> request.jobId() != null
                    ? job(request.jobId()).map(job -> new Reply(200, job, job.jobId()))
                    : status().map(status -> new Reply(200, status, null));
            default -> start(request);
        };
    }

    private Uni<Reply> start(MigrationRequest request) {
        Action action = request.action();
        JobOptions o = request.options();
        boolean dry = o.dry();
        // A variants dry run too: without a store no image has variants to lack, and each would be reported complete.
        boolean needsStore = action == Action.VALIDATE || action == Action.PURGE || action == Action.CLEANUP
                || action == Action.VARIANTS || ((action == Action.MIGRATE || action == Action.ROLLBACK) && !dry);
        if (needsStore && !storage.configured()) {
            throw new ApiException(ErrorCode.STORAGE_NOT_CONFIGURED,
                    action.wire() + " needs R2: set R2_ACCOUNT_ID or R2_ENDPOINT, R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY");
        }
        if (action == Action.VARIANTS && variants.kept().isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, VariantsAction.NOTHING_TO_MAKE);
        }
        if (action == Action.BACKUP && !"sqlite".equals(dbKind)) {
            throw new ApiException(ErrorCode.INVALID_REQUEST,
                    "backup copies the SQLite database; back up " + dbKind + " with its own tools (pg_dump)");
        }
        Integer olderThanDays = o.olderThanDays();
        if (action == Action.PURGE && olderThanDays == null) {
            olderThanDays = config.purgeOlderThanDays();
        }
        int batchSize = o.batchSize() != null ? o.batchSize() : config.batchSize();
        int concurrency = o.concurrency() != null ? o.concurrency() : config.concurrency();
        JobOptions resolved = new JobOptions(o.dryRun(), batchSize, concurrency, o.limit(), o.imageIds(),
                o.retainBase64(), o.checkIntegrity(), o.sampleSize(), o.orphans(), o.deleteFromR2(), olderThanDays,
                action == Action.MIGRATE && o.verify() == null ? JobOptions.VERIFY_HEAD : o.verify());
        long now = System.currentTimeMillis();
        JobRow row = new JobRow(UUID.randomUUID().toString(), action, JobState.RUNNING, resolved, action.mutating(dry),
                null, 0, 0, 0, 0, 0, 0, new JobReport(), null, now, now, null, now);
        return Blocking.call(() -> {
            if (!jobs.insert(row)) {
                JobRow other = jobs.findActiveMutating().orElseThrow(() -> new ApiException(ErrorCode.JOB_CONFLICT,
                        "another mutating job holds the lock"));
                throw conflict(other);
            }
            return runner.launch(row);
        }).chain(job -> reply(job, request.await()));
    }

    private static ApiException conflict(JobRow other) {
        return new ApiException(ErrorCode.JOB_CONFLICT, "job " + other.id() + " (" + other.action().wire() + ") is "
                + other.state().wire() + "; pause does not release it: wait for it, or cancel it",
                Map.of("jobId", other.id(), "state", other.state().wire(), "action", other.action().wire()));
    }

    private Uni<Reply> reply(ActiveJob job, boolean await) {
        if (!await) {
            return view(job.id).map(view -> new Reply(202, view, job.id));
        }
        return Uni.createFrom().completionStage(job.ended).chain(ignored -> view(job.id))
                .map(view -> new Reply(200, view, job.id));
    }

    private Uni<Reply> control(MigrationRequest request) {
        ActiveJob.Control control = request.action() == Action.PAUSE ? ActiveJob.Control.PAUSE : ActiveJob.Control.CANCEL;
        return Blocking.call(() -> target(request.jobId())).chain(row -> {
            Optional<ActiveJob> running = runner.active(row.id());
            if (running.isPresent()) {
                running.get().request(control);
                return Uni.createFrom().completionStage(running.get().ended)
                        .ifNoItem().after(config.batchTimeout().plusSeconds(30)).recoverWithItem(JobState.RUNNING)
                        .chain(ignored -> view(row.id()));
            }
            if (!row.state().active()) {
                throw notActive(row, request.action());
            }
            // Active in the database but not running here: paused, or left by a stopped process.
            return Blocking.call(() -> {
                if (control == ActiveJob.Control.CANCEL) {
                    jobs.updateState(row.id(), JobState.CANCELLED, null, System.currentTimeMillis());
                } else if (row.state() != JobState.PAUSED) {
                    jobs.updateState(row.id(), JobState.PAUSED, null, System.currentTimeMillis());
                }
                feeds.changed(row.id());
                return row.id();
            }).chain(this::view);
        }).map(view -> new Reply(200, view, view.jobId()));
    }

    private Uni<Reply> resume(MigrationRequest request) {
        return Blocking.call(() -> {
            JobRow row = request.jobId() != null ? find(request.jobId())
                    : jobs.findLatest(true).or(jobs::findLatestEnded).orElseThrow(() -> new ApiException(
                            ErrorCode.JOB_NOT_ACTIVE, "there is no job to resume"));
            if (runner.active(row.id()).isPresent()) {
                throw new ApiException(ErrorCode.JOB_NOT_ACTIVE, "job " + row.id() + " is already running",
                        Map.of("jobId", row.id(), "state", row.state().wire()));
            }
            if (row.state() == JobState.COMPLETED || row.state() == JobState.CANCELLED) {
                throw notActive(row, Action.RESUME);
            }
            if (row.state() == JobState.FAILED && row.action().mutating(row.dryRun()) && !jobs.relock(row.id())) {
                throw conflict(jobs.findActiveMutating().orElseThrow());
            }
            jobs.updateState(row.id(), JobState.RUNNING, null, System.currentTimeMillis());
            ActiveJob launched = runner.launch(JobRunner.withState(row, JobState.RUNNING));
            feeds.changed(row.id());
            return launched;
        }).chain(job -> reply(job, request.await()));
    }

    private static ApiException notActive(JobRow row, Action action) {
        return new ApiException(ErrorCode.JOB_NOT_ACTIVE, "job " + row.id() + " is " + row.state().wire()
                + "; it cannot " + action.wire(), Map.of("jobId", row.id(), "state", row.state().wire()));
    }

    /** The job a control acts on: the one named, else the newest active one. */
    private JobRow target(String jobId) {
        if (jobId != null) {
            return find(jobId);
        }
        return current().map(job -> find(job.id))
                .or(() -> jobs.findLatest(true))
                .orElseThrow(() -> new ApiException(ErrorCode.JOB_NOT_ACTIVE, "no job is active"));
    }

    /** The job running here that matters most: the mutating one, else the newest. */
    private Optional<ActiveJob> current() {
        return runner.activeJobs().stream().max(java.util.Comparator.comparing((ActiveJob job) -> job.mutating)
                .thenComparingLong(job -> job.createdAt));
    }

    private JobRow find(String id) {
        return jobs.find(id).orElseThrow(() -> new ApiException(ErrorCode.JOB_NOT_FOUND, "no job with id " + id));
    }

    /** A job for GET: read within the read budget, and shared with equal reads under way. */
    public Uni<Job> job(String id) {
        Ids.require("jobId", id);
        return views.shared(id);
    }

    /** A job as a control's answer: read afresh, so that it shows the control's effect. */
    private Uni<Job> view(String id) {
        return Blocking.call(() -> views.now(id));
    }

    /**
     * A stream of the job's snapshots, ending after the one that shows it ended; blocking (see {@link JobFeeds#watch}).
     */
    public Multi<OutboundSseEvent> events(String id, Sse sse) {
        return feeds.watch(id, sse);
    }

    private record Stored(Map<String, Long> counts, Job current, Job last) {
    }

    public Uni<MigrationStatus> status() {
        Uni<MigrationStatus.R2> r2 = !storage.configured()
                ? Uni.createFrom().item(new MigrationStatus.R2(false, "error", storage.bucket(), null, "not configured"))
                : storage.ping(config.probeTimeout())
                        .map(ok -> new MigrationStatus.R2(true, "connected", storage.bucket(), storage.endpoint().orElse(null), null))
                        .onFailure().recoverWithItem(e -> new MigrationStatus.R2(true, "error", storage.bucket(),
                                storage.endpoint().orElse(null), StorageFailures.message(e)));
        // One read for all the clients asking at once, within the read budget: polling never starves writes.
        Uni<Stored> stored = reads.read("status", () -> {
            Map<String, Long> counts = images.counts();
            Job current = current().map(job -> job.id).or(() -> jobs.findLatest(true).map(JobRow::id))
                    .flatMap(ledger::live).map(views::show).orElse(null);
            Job last = jobs.findLatestEnded().map(views::show).orElse(null);
            return new Stored(counts, current, last);
        });
        return Uni.combine().all().unis(r2, stored).with((store, db) -> {
            Map<String, Long> all = db.counts();
            Job[] jobsNow = { db.current(), db.last() };
            Map<String, Long> shown = new LinkedHashMap<>(all);
            long base64Bytes = shown.remove("base64Bytes");
            long r2Bytes = shown.remove("r2Bytes");
            remaining.set(base64Bytes);
            long migrated = all.get("r2Only") + all.get("both");
            long migratable = migrated + all.get("base64Only");
            double progress = migratable == 0 ? 100.0 : Math.round(migrated * 10000.0 / migratable) / 100.0;
            return new MigrationStatus(store, service.enableR2Storage(), shown, base64Bytes, r2Bytes, progress,
                    store.configured() && "connected".equals(store.status()), config.batchSize(), jobsNow[0], jobsNow[1]);
        });
    }
}
