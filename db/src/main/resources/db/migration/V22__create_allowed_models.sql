-- The model registry's stored half (docs/contract.md, "Models"). A job may name a model the provider lists at
-- GET /v1/models or one an operator allowed; anything else is refused at submission (400 model_not_found), so
-- that the models table, the broker's queues and the workers' dispatchers stay bounded.
--
-- source 'provider': the provider's last good list, replaced whole by whichever api-service instance read it
-- last, so that an instance that starts while the provider's list cannot be read still knows it.
-- source 'operator': models allowed through POST /admin/models (SLUICE_MODELS is configuration and not stored).
-- A model may be both.
CREATE TABLE allowed_models (
    model    text        NOT NULL,
    source   text        NOT NULL,
    added_at timestamptz NOT NULL,
    CONSTRAINT allowed_models_pk PRIMARY KEY (model, source),
    CONSTRAINT allowed_models_source_known CHECK (source IN ('provider', 'operator'))
);
