-- Presigned uploads waiting to be completed. The client PUTs its bytes to upload_key through a presigned URL; completion
-- verifies that object and only then copies it to object_key and writes the images row. Kept in the database, not in
-- memory, so that a completion works after a restart or on another replica, and an expired upload is refused.
-- status: pending (URL handed out), verifying (a completion holds it since updated_at), completed, rejected
-- (the object failed verification and was deleted; failure_reason says why), expired.
CREATE TABLE IF NOT EXISTS pending_uploads (
    id TEXT PRIMARY KEY NOT NULL,
    image_id TEXT NOT NULL,
    object_key TEXT NOT NULL,
    upload_key TEXT NOT NULL,
    persona_id TEXT NOT NULL,
    persona_title TEXT NOT NULL,
    prompt TEXT NOT NULL,
    session_id TEXT,
    participant_id TEXT,
    table_id TEXT,
    provider TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    content_md5 TEXT,
    status TEXT NOT NULL,
    failure_reason TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_pending_uploads_status_expires ON pending_uploads (status, expires_at);
