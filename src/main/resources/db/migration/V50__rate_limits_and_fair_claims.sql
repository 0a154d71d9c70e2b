-- Token buckets of the rate limits, one row per tenant and class of endpoint ("<tenant id>:training"),
-- shared by every replica. Bucket4j's PostgreSQL proxy manager owns the rows: state is its
-- serialized bucket, expires_at (epoch milliseconds) the moment the bucket would be full again, after
-- which the row may be removed.
CREATE TABLE rate_limit_buckets (
    id         text PRIMARY KEY,
    state      bytea,
    expires_at bigint
);
CREATE INDEX rate_limit_buckets_expiry ON rate_limit_buckets (expires_at);

-- Per-tenant overrides of the configured limits (dti.limits.*); a null column keeps the default.
CREATE TABLE tenant_limits (
    tenant_id                     uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    training_quota                int CHECK (training_quota > 0),
    training_window_seconds       int CHECK (training_window_seconds > 0),
    generation_quota              int CHECK (generation_quota > 0),
    generation_window_seconds     int CHECK (generation_window_seconds > 0),
    read_quota                    int CHECK (read_quota > 0),
    read_window_seconds           int CHECK (read_window_seconds > 0),
    max_unfinished_training_jobs  int CHECK (max_unfinished_training_jobs > 0),
    updated_at                    timestamptz NOT NULL DEFAULT now()
);

-- The fair claim (job.JobRepository.claimNext): the tenants with runnable jobs and their oldest one
-- come from this index (INCLUDE makes the filter on kind and run_after index-only), and so does each
-- tenant's oldest runnable job.
CREATE INDEX jobs_queued_by_tenant ON jobs (tenant_id, created_at, id) INCLUDE (kind, run_after)
    WHERE state = 'queued';
-- ... and each tenant's count of running jobs.
CREATE INDEX jobs_running_by_tenant ON jobs (tenant_id) WHERE state = 'running';
