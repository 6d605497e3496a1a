-- Rate limit buckets shared by replicas on PostgreSQL (issue 14): one row per bucket (limit and client, e.g.
-- 'generate|4:203.0.113.7'), its state serialized by bucket4j, and when it is full again (epoch milliseconds) after
-- which the row may be deleted. With SQLite the buckets live in the process and this table stays empty; the types
-- are PostgreSQL's (SQLite accepts any type name), as bucket4j's PostgreSQL proxy manager reads and writes them.
CREATE TABLE IF NOT EXISTS rate_limit_buckets (
    id TEXT NOT NULL PRIMARY KEY,
    state BYTEA,
    expires_at BIGINT
);
CREATE INDEX IF NOT EXISTS rate_limit_buckets_expires ON rate_limit_buckets (expires_at);
