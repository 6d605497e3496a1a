-- The z-interact images table exactly as the legacy app (Drizzle on SQLite/D1) created it. On a database taken
-- over from the app, Flyway baselines at version 0, so this runs there too and does nothing.
CREATE TABLE IF NOT EXISTS images (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT,
    participant_id TEXT,
    table_id TEXT,
    persona_id TEXT NOT NULL,
    persona_title TEXT NOT NULL,
    image_url TEXT,
    image_data TEXT,
    image_mime_type TEXT,
    prompt TEXT NOT NULL,
    provider TEXT DEFAULT 'placeholder',
    status TEXT DEFAULT 'generating',
    r2_key TEXT,
    migration_status TEXT DEFAULT 'pending' NOT NULL,
    migrated_at BIGINT,
    created_at BIGINT,
    updated_at BIGINT
);
