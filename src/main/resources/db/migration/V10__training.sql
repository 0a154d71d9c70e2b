-- Learned embeddings: one row per checkpoint snapshot of a concept's training, plus the final one.
CREATE TABLE concept_embeddings (
    id               uuid PRIMARY KEY,
    concept_id       uuid NOT NULL REFERENCES concepts (id) ON DELETE CASCADE,
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    job_id           uuid REFERENCES jobs (id) ON DELETE SET NULL,
    step             int  NOT NULL,
    is_final         boolean NOT NULL DEFAULT false,
    num_vectors      int  NOT NULL,
    dim              int  NOT NULL,
    rows_f32         bytea NOT NULL,            -- n × d float32, little-endian
    norm_m           double precision NOT NULL, -- the model's mean vocabulary norm
    method           text NOT NULL,
    base_model_id    text NOT NULL,
    loss             double precision,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (concept_id, step)
);
CREATE INDEX concept_embeddings_concept ON concept_embeddings (concept_id, step DESC);

-- Resumable training state of a job: rows, optimizer state and curves at the last checkpoint.
CREATE TABLE training_checkpoints (
    job_id           uuid PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    step             int  NOT NULL,
    rows_f32         bytea NOT NULL,
    optimizer_state  bytea,
    loss_history     jsonb NOT NULL DEFAULT '[]'::jsonb,
    norm_history     jsonb NOT NULL DEFAULT '[]'::jsonb,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Validation previews written during training (PNG bytes live in blobs).
CREATE TABLE training_previews (
    job_id      uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    step        int  NOT NULL,
    blob_id     uuid NOT NULL REFERENCES blobs (id) ON DELETE CASCADE,
    prompt      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, step)
);
