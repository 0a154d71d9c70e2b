-- Idempotency keys belong to a scope: a tenant ('tenant:<id>') or the admin API ('admin'). A key
-- expires after dti.idempotency.ttl and is deleted by IdempotencyCleanup. A row without a response
-- is a reservation: its request is being processed outside a transaction (a synchronous render).
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD COLUMN scope text;
UPDATE idempotency_keys SET scope = 'tenant:' || tenant_id;
ALTER TABLE idempotency_keys ALTER COLUMN scope SET NOT NULL;
ALTER TABLE idempotency_keys ALTER COLUMN tenant_id DROP NOT NULL;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (scope, idempotency_key);
ALTER TABLE idempotency_keys ALTER COLUMN response_status DROP NOT NULL;
ALTER TABLE idempotency_keys ALTER COLUMN response_body DROP NOT NULL;
ALTER TABLE idempotency_keys ADD COLUMN expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours';
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
