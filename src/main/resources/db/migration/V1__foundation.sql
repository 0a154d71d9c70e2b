-- Tenancy: every row below belongs to a tenant and is invisible to the others.
CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- API keys are stored as SHA-256 hex digests; the clear key is shown once, at creation.
CREATE TABLE api_keys (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key_hash    text NOT NULL UNIQUE,
    key_prefix  text NOT NULL,
    label       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- Opaque bytes (uploaded images, previews) behind the BlobStore interface.
CREATE TABLE blobs (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    content_type  text NOT NULL,
    size_bytes    bigint NOT NULL,
    sha256        text NOT NULL,
    bytes         bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE concepts (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         text NOT NULL,
    token        text NOT NULL,
    initializer  text NOT NULL,
    method       text NOT NULL CHECK (method IN ('dti', 'ti')),
    templates    text NOT NULL CHECK (templates IN ('object', 'style')),
    hyperparameters jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, token)
);
CREATE INDEX concepts_tenant_created ON concepts (tenant_id, created_at DESC, id);

CREATE TABLE concept_images (
    id           uuid PRIMARY KEY,
    concept_id   uuid NOT NULL REFERENCES concepts (id) ON DELETE CASCADE,
    position     int  NOT NULL,
    blob_id      uuid NOT NULL REFERENCES blobs (id),
    filename     text,
    content_type text NOT NULL,
    width        int  NOT NULL,
    height       int  NOT NULL,
    caption      text,
    UNIQUE (concept_id, position)
);

-- The job queue. All SQL touching it lives in job.JobRepository.
CREATE TABLE jobs (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind              text NOT NULL,
    concept_id        uuid REFERENCES concepts (id) ON DELETE SET NULL,
    state             text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
    payload           jsonb NOT NULL DEFAULT '{}'::jsonb,
    result            jsonb,
    attempts          int  NOT NULL DEFAULT 0,
    max_attempts      int  NOT NULL,
    run_after         timestamptz NOT NULL DEFAULT now(),
    lease_owner       text,
    lease_expires_at  timestamptz,
    cancel_requested  boolean NOT NULL DEFAULT false,
    progress          double precision NOT NULL DEFAULT 0,
    current_step      int NOT NULL DEFAULT 0,
    total_steps       int NOT NULL DEFAULT 0,
    last_loss         double precision,
    embedding_norm    double precision,
    eta_seconds       double precision,
    error             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_claimable ON jobs (kind, run_after, created_at) WHERE state = 'queued';
CREATE INDEX jobs_lease ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_tenant_created ON jobs (tenant_id, created_at DESC, id);
CREATE INDEX jobs_concept ON jobs (concept_id);

-- Idempotency-Key replay store: same key + same request hash -> the stored response.
CREATE TABLE idempotency_keys (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    idempotency_key  text NOT NULL,
    request_hash     text NOT NULL,
    response_status  int  NOT NULL,
    response_body    text NOT NULL,
    response_location text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, idempotency_key)
);
