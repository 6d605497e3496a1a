-- Several replicas on one PostgreSQL database share a job (docs/migration.md, "Replicas"). One mechanism serves both
-- databases: a job's walk is cut into batches, each batch is a leased claim in migration_claims, and a claim whose
-- lease ran out (its replica died) is taken over by another. Portable SQL (TEXT, BIGINT, INTEGER), as in V3.

-- The walk's own state, shared by every replica: frontier is the id of the last row handed out in a batch, carved the
-- number of rows handed out so far (a batch's first ordinal, which validate samples on), rows_done 1 once the walk
-- found nothing after the frontier, so that no batch is cut after the job moved on to its end.
ALTER TABLE migration_jobs ADD COLUMN frontier TEXT;
ALTER TABLE migration_jobs ADD COLUMN carved BIGINT NOT NULL DEFAULT 0;
ALTER TABLE migration_jobs ADD COLUMN rows_done INTEGER NOT NULL DEFAULT 0;
-- A job left running by the previous version continues from its last checkpoint.
UPDATE migration_jobs SET frontier = cursor_id, carved = processed;

-- One row per unit of work being done: a batch (batch_no = its first ordinal; the rows with after_id < id <= through_id)
-- or a step done once per job (batch_no -2 prepare, -1 the work after the rows). claimed_by is the replica's worker
-- id; lease_expires_at (Unix ms) is pushed forward by its heartbeat, and once it is past anyone may take the claim with
-- UPDATE ... WHERE lease_expires_at < now, which only one replica can win. A batch's row is deleted when its results
-- are folded into the job; a released claim has lease_expires_at = 0.
CREATE TABLE IF NOT EXISTS migration_claims (
    job_id TEXT NOT NULL,
    batch_no BIGINT NOT NULL,
    after_id TEXT,
    through_id TEXT,
    claimed_by TEXT NOT NULL,
    lease_expires_at BIGINT NOT NULL,
    claimed_at BIGINT NOT NULL,
    PRIMARY KEY (job_id, batch_no)
);

-- Which replica produced each per-image result, so a job can say how the work was shared.
ALTER TABLE migration_job_items ADD COLUMN worker_id TEXT;

-- Per job and replica: images processed and done, added up when results are folded into the job.
CREATE TABLE IF NOT EXISTS migration_job_workers (
    job_id TEXT NOT NULL,
    worker_id TEXT NOT NULL,
    processed BIGINT NOT NULL DEFAULT 0,
    succeeded BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (job_id, worker_id)
);
