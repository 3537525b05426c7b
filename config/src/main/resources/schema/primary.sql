-- The primary database's table of historical calls (what production owns; the engine only reads it).
-- Statements are separated by ';' on their own and must be safe to run again.
CREATE TABLE IF NOT EXISTS calls (
  id           BIGINT PRIMARY KEY,
  tenant       TEXT        NOT NULL,
  started_at   TIMESTAMPTZ NOT NULL,
  duration_s   INTEGER     NOT NULL CHECK (duration_s >= 0),
  source       TEXT        NOT NULL CHECK (source IN ('web_conference', 'phone')),
  transcript   JSONB       NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_tenant_id_idx ON calls (tenant, id);
CREATE INDEX IF NOT EXISTS calls_started_at_idx ON calls (started_at);
