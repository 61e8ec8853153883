-- Webhook delivery claims each tenant's oldest due events on their own, in turns between tenants, so that
-- one tenant's backlog or slow receiver never holds up another's deliveries. This index serves that probe
-- (tenant, then due time) over pending events only, as webhook_events_due_ix does for the due time alone.
CREATE INDEX webhook_events_tenant_due_ix ON webhook_events (tenant_id, next_attempt_at) WHERE status = 'pending';
