-- Generations and interpolations: the validated request, the job of an asynchronous one, and
-- their results (images, interpolated embeddings). Everything is removed after dti.generation.retention.
-- All SQL touching these tables lives in generation.GenerationRepository.
CREATE TABLE generations (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('generation', 'interpolation')),
    request     jsonb NOT NULL,           -- defaults applied, seed resolved, embeddings pinned
    model_id    text NOT NULL,
    job_id      uuid REFERENCES jobs (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX generations_expiry ON generations (expires_at);

CREATE TABLE generated_images (
    id             uuid PRIMARY KEY,
    generation_id  uuid NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    position       int  NOT NULL,
    blob_id        uuid NOT NULL REFERENCES blobs (id),
    seed           bigint NOT NULL,
    width          int  NOT NULL,
    height         int  NOT NULL,
    metadata       jsonb NOT NULL,         -- the same text as the PNG's tEXt chunks
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (generation_id, position)
);

-- The interpolated rows of each point of an interpolation, in concept_embeddings' rows_f32 layout.
CREATE TABLE generation_embeddings (
    generation_id  uuid NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    position       int  NOT NULL,
    num_vectors    int  NOT NULL,
    dim            int  NOT NULL,
    rows_f32       bytea NOT NULL,
    PRIMARY KEY (generation_id, position)
);
