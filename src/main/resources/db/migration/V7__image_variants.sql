-- Right-sized copies of images (issue 12). One row per variant kept in the bucket: the variant of image_id at a
-- preset's width in one format, under r2_key (variants/..., never an original's key), with its own size and SHA-256
-- (its strong ETag); alpha is 1 when the original has transparent pixels, which decides between JPEG and PNG for
-- clients without WebP. Rows are written after their object and deleted before it, so a row always names an object.
-- Portable SQL (TEXT, BIGINT, INTEGER), as in V3.
CREATE TABLE IF NOT EXISTS image_variants (
    image_id TEXT NOT NULL,
    preset TEXT NOT NULL,
    format TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    alpha INTEGER NOT NULL,
    r2_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (image_id, preset, format)
);
CREATE UNIQUE INDEX IF NOT EXISTS image_variants_key ON image_variants (r2_key);

-- The image's ThumbHash (base64), computed with its first variant, so a client can paint a blurred preview at once.
ALTER TABLE images ADD COLUMN thumbhash TEXT;
