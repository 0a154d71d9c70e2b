-- The queue keeps no domain columns: what a job is about lives in its payload (a training job's
-- concept as payload.conceptId), and what a handler reports besides step and ETA lives in
-- progress_detail, a JSON object the handler owns.
ALTER TABLE jobs ADD COLUMN progress_detail jsonb;
UPDATE jobs
   SET progress_detail = jsonb_strip_nulls(
         jsonb_build_object('lastLoss', last_loss, 'embeddingNorm', embedding_norm))
 WHERE last_loss IS NOT NULL OR embedding_norm IS NOT NULL;
UPDATE jobs
   SET payload = payload || jsonb_build_object('conceptId', concept_id)
 WHERE concept_id IS NOT NULL;
-- A job whose concept was deleted keeps no link to it (as ON DELETE SET NULL did).
UPDATE jobs
   SET payload = payload - 'conceptId'
 WHERE kind = 'training' AND concept_id IS NULL AND payload ? 'conceptId';
-- Fields written at enqueue that nothing reads.
UPDATE jobs SET payload = payload - 'token' - 'initializer' - 'hyperparameters' WHERE kind = 'training';
DROP INDEX jobs_concept;
ALTER TABLE jobs DROP COLUMN concept_id, DROP COLUMN last_loss, DROP COLUMN embedding_norm;

-- The outbox: every state transition of a job appends one row here, in the statement that makes
-- the transition (job.JobRepository writes both). Webhooks and live progress read it.
CREATE TABLE job_events (
    id          bigserial PRIMARY KEY,
    job_id      uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    tenant_id   uuid NOT NULL,
    kind        text NOT NULL,
    type        text NOT NULL CHECK (type IN
                  ('queued', 'started', 'progress', 'succeeded', 'failed', 'canceled', 'requeued')),
    reason      text NOT NULL,
    data        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_events_job ON job_events (job_id, id);
CREATE INDEX job_events_tenant ON job_events (tenant_id, id);
