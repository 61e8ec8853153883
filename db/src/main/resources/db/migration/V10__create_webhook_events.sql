-- Webhooks: an outbox of events (one per finished batch or single job that has a webhook_url) and a log
-- of every delivery attempt. The worker's sweep fills the outbox from the batches and jobs themselves,
-- so no terminal transition has to remember to create an event, and one that crashed before the sweep
-- still gets its event.

-- Set by the sweep when it creates the subject's event; with the partial indexes below, the sweep only
-- ever looks at finished subjects that still lack one.
ALTER TABLE batches ADD COLUMN webhook_event_id text;
ALTER TABLE jobs ADD COLUMN webhook_event_id text;

CREATE INDEX batches_webhook_unswept_ix ON batches (id)
    WHERE webhook_url IS NOT NULL AND webhook_event_id IS NULL
      AND status IN ('completed', 'failed', 'expired', 'cancelled');
CREATE INDEX jobs_webhook_unswept_ix ON jobs (id)
    WHERE batch_id IS NULL AND webhook_url IS NOT NULL AND webhook_event_id IS NULL
      AND status IN ('succeeded', 'failed', 'cancelled', 'expired');

-- Secret rotation: the secret replaced last stays valid until previous_webhook_secret_expires_at, and
-- deliveries meanwhile carry a signature for each.
ALTER TABLE tenants
    ADD COLUMN previous_webhook_secret            text,
    ADD COLUMN previous_webhook_secret_expires_at timestamptz,
    ADD CONSTRAINT tenants_previous_webhook_secret_complete
        CHECK ((previous_webhook_secret IS NULL) = (previous_webhook_secret_expires_at IS NULL));

CREATE TABLE webhook_events (
    -- The Standard Webhooks message id ("evt_..."): the webhook-id header, stable across retries.
    id              text        NOT NULL,
    tenant_id       text        NOT NULL,
    -- The batch or single job the event is about.
    subject_id      text        NOT NULL,
    type            text        NOT NULL,
    url             text        NOT NULL,
    -- The exact body sent on every attempt.
    payload         text        NOT NULL,
    status          text        NOT NULL,
    -- Attempts made so far, and those since the last redelivery (which index the retry schedule).
    attempts        integer     NOT NULL DEFAULT 0,
    round_attempts  integer     NOT NULL DEFAULT 0,
    -- When a pending event is next due. Claiming an event pushes this past the attempt's timeout, so it
    -- doubles as the claim's lease: an event whose worker died becomes due again on its own.
    next_attempt_at timestamptz,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL,
    CONSTRAINT webhook_events_pk PRIMARY KEY (id),
    CONSTRAINT webhook_events_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    -- A batch or job reaches one terminal state, so it has one event.
    CONSTRAINT webhook_events_subject_uq UNIQUE (subject_id),
    CONSTRAINT webhook_events_type_known CHECK (type IN (
        'batch.completed', 'batch.failed', 'batch.expired', 'batch.cancelled',
        'job.succeeded', 'job.failed', 'job.cancelled', 'job.expired')),
    -- pending: due at next_attempt_at; delivered: a 2xx arrived; failed: retries ran out, 410 Gone, or
    -- the address was refused.
    CONSTRAINT webhook_events_status_known CHECK (status IN ('pending', 'delivered', 'failed')),
    CONSTRAINT webhook_events_next_attempt_iff_pending CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL)),
    CONSTRAINT webhook_events_delivered_at_iff_delivered CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
    CONSTRAINT webhook_events_attempts_non_negative CHECK (attempts >= 0 AND round_attempts BETWEEN 0 AND attempts)
);

CREATE INDEX webhook_events_due_ix ON webhook_events (next_attempt_at) WHERE status = 'pending';

CREATE TABLE webhook_deliveries (
    -- "whdel_...": what POST .../webhook_deliveries/{id}/redeliver names.
    id              text        NOT NULL,
    event_id        text        NOT NULL,
    tenant_id       text        NOT NULL,
    subject_id      text        NOT NULL,
    -- The event's attempt number, from 1.
    attempt         integer     NOT NULL,
    url             text        NOT NULL,
    -- delivered: 2xx; failed: another status, a timeout or a connection error; refused: the address is
    -- not allowed (SSRF protection), so nothing was sent.
    status          text        NOT NULL,
    response_status integer,
    -- What went wrong, for people: never a secret, at most 500 characters.
    error           text,
    duration_ms     integer     NOT NULL,
    attempted_at    timestamptz NOT NULL,
    -- When the event will be tried again after this attempt; null when it will not.
    next_attempt_at timestamptz,
    CONSTRAINT webhook_deliveries_pk PRIMARY KEY (id),
    CONSTRAINT webhook_deliveries_event_fk FOREIGN KEY (event_id) REFERENCES webhook_events (id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_status_known CHECK (status IN ('delivered', 'failed', 'refused')),
    CONSTRAINT webhook_deliveries_attempt_positive CHECK (attempt >= 1),
    CONSTRAINT webhook_deliveries_duration_non_negative CHECK (duration_ms >= 0)
);

CREATE INDEX webhook_deliveries_subject_ix ON webhook_deliveries (tenant_id, subject_id, attempted_at);
