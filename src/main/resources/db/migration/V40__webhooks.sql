-- Webhooks: endpoints a tenant registers, one message row per (event, endpoint) to deliver, and
-- every attempt at sending one.

-- The transaction that wrote each job event. A bigserial id is taken when a row is inserted, not
-- when it commits, so a reader that only remembers the highest id it saw would miss an event of a
-- transaction that commits later with a lower id. Reading in (xact_id, id) order and only events of
-- transactions older than every transaction still running (pg_snapshot_xmin) is gap-free: no event
-- can appear later behind the cursor.
ALTER TABLE job_events ADD COLUMN xact_id xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX job_events_xact ON job_events (xact_id, id);

CREATE TABLE webhook_endpoints (
    id                      uuid PRIMARY KEY,
    tenant_id               uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url                     text NOT NULL,
    description             text,
    events                  text[] NOT NULL,
    secret                  text NOT NULL,
    -- After a rotation the previous secret also signs until previous_secret_expires_at.
    previous_secret         text,
    previous_secret_expires_at timestamptz,
    disabled_at             timestamptz,
    disabled_reason         text,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, created_at);

-- One message to one endpoint. Its id is the webhook-id header, the same on every attempt; body is
-- the exact JSON that is signed and sent.
CREATE TABLE webhook_messages (
    id              text PRIMARY KEY,
    seq             bigserial NOT NULL UNIQUE,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    tenant_id       uuid NOT NULL,
    event_type      text NOT NULL,
    body            text NOT NULL,
    state           text NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'succeeded', 'failed', 'canceled')),
    -- Failed attempts since the message was created or resent: the position in the retry schedule.
    failures        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- A sender holds a message while locked_until is in the future; claim_token fences its writes.
    locked_until    timestamptz,
    claim_token     uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_messages_due ON webhook_messages (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_messages_endpoint ON webhook_messages (endpoint_id, seq);

CREATE TABLE webhook_attempts (
    id          bigserial PRIMARY KEY,
    message_id  text NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    status_code int,
    duration_ms bigint NOT NULL,
    error       text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_message ON webhook_attempts (message_id, id);

-- How far the dispatcher has fanned out job_events; one row, locked while a batch is dispatched.
CREATE TABLE webhook_dispatch_cursor (
    name          text PRIMARY KEY,
    last_xact_id  xid8 NOT NULL,
    last_event_id bigint NOT NULL
);
-- Events already in the outbox are history: no endpoint existed to receive them.
INSERT INTO webhook_dispatch_cursor (name, last_xact_id, last_event_id)
VALUES ('job_events',
        coalesce((SELECT xact_id FROM job_events ORDER BY xact_id DESC, id DESC LIMIT 1), '0'::xid8),
        coalesce((SELECT max(id) FROM job_events), 0));

-- The last job.progress message fanned out per job, for the throttle (every 10 % or 5 s).
CREATE TABLE webhook_progress_marks (
    job_id      uuid PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    progress    double precision NOT NULL,
    event_at    timestamptz NOT NULL
);
