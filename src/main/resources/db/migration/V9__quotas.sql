-- Quotas (README, "Quotas"). What is stored counts where it is: the images table. These two tables hold only what
-- the images table cannot say yet. Portable SQL (TEXT, BIGINT, INTEGER), as in V3. The counts of images by session and
-- by persona use the indexes V2 made, idx_images_session_created and idx_images_persona_created (their first column).

-- Room held for an image between the quota check and its row: a direct upload while its object is written, a presigned
-- upload from its creation to its completion, a generated image while it is stored. id is the image's id; once a row
-- with that id holds the image, the reservation no longer counts (the row does), so the check and the row never count
-- one image twice. A reservation past expires_at (Unix s; its replica died) counts no more and is deleted.
CREATE TABLE IF NOT EXISTS quota_reservations (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT,
    persona_id TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_quota_reservations_session ON quota_reservations (session_id);
CREATE INDEX IF NOT EXISTS idx_quota_reservations_persona ON quota_reservations (persona_id);

-- Generations asked of the provider per session and UTC calendar day (day = days since 1970-01-01 UTC). A generation
-- counts once the provider is about to be called, whatever it answers; deleting its image gives nothing back.
CREATE TABLE IF NOT EXISTS quota_generations (
    session_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (session_id, day)
);
