-- Migration jobs and what they leave behind. Portable SQL (TEXT, BIGINT, INTEGER): the same history runs on SQLite
-- and PostgreSQL.

-- One row per job. Counters and the report are written at each checkpoint (end of a batch) together with the keyset
-- cursor, so a job resumed after a crash starts from exactly what was committed.
CREATE TABLE IF NOT EXISTS migration_jobs (
    id TEXT PRIMARY KEY NOT NULL,
    action TEXT NOT NULL,
    state TEXT NOT NULL,
    dry_run INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL,
    -- 'mutating' while a job that changes data is active (running, paused, waiting); NULL otherwise. The unique index
    -- below makes "one mutating job at a time" hold across processes, not only inside one JVM.
    active_lock TEXT,
    cursor_id TEXT,
    total BIGINT NOT NULL DEFAULT 0,
    processed BIGINT NOT NULL DEFAULT 0,
    succeeded BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    bytes BIGINT NOT NULL DEFAULT 0,
    report TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_migration_jobs_active_lock ON migration_jobs (active_lock);
CREATE INDEX IF NOT EXISTS idx_migration_jobs_state ON migration_jobs (state, created_at);

-- Images a job could not process, with the reason and how often it was tried. Kept after the job ends.
CREATE TABLE IF NOT EXISTS migration_failures (
    job_id TEXT NOT NULL,
    image_id TEXT NOT NULL,
    error TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    failed_at BIGINT NOT NULL,
    PRIMARY KEY (job_id, image_id)
);

-- Per-image outcomes since the job's last checkpoint, written in the same transaction as the image row itself.
-- The checkpoint folds them into the job's counters and deletes them; after a crash they tell the resumed job which
-- images of the interrupted batch are already done, so nothing is counted or uploaded twice.
CREATE TABLE IF NOT EXISTS migration_job_items (
    job_id TEXT NOT NULL,
    image_id TEXT NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (job_id, image_id)
);

-- What the migration adds to an image row: the verified ETag (hex MD5 of a single-part object) so validate can compare
-- it with a HEAD, and the image_url the row had before the migration replaced it with the public URL, so rollback can
-- put it back ('' stands for "was NULL").
ALTER TABLE images ADD COLUMN etag TEXT;
ALTER TABLE images ADD COLUMN original_image_url TEXT;

CREATE INDEX IF NOT EXISTS idx_images_r2_key ON images (r2_key);
