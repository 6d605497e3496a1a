-- What this service knows about each image besides the legacy columns. Only additions: legacy columns are never
-- dropped or rewritten, so the legacy app can keep reading the table.
ALTER TABLE images ADD COLUMN content_type TEXT;
ALTER TABLE images ADD COLUMN size_bytes BIGINT;
ALTER TABLE images ADD COLUMN sha256 TEXT;
ALTER TABLE images ADD COLUMN storage_class TEXT;

CREATE INDEX IF NOT EXISTS idx_images_persona_created ON images (persona_id, created_at, id);
CREATE INDEX IF NOT EXISTS idx_images_session_created ON images (session_id, created_at, id);
CREATE INDEX IF NOT EXISTS idx_images_created ON images (created_at, id);
