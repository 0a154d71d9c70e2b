-- A learned embedding has rows per text encoder (SDXL has two): one row of concept_embeddings per
-- (concept, step, text encoder). Rows written before are SD 1.x/2.x embeddings of diffusers'
-- text encoder "text_encoder".
ALTER TABLE concept_embeddings ADD COLUMN text_encoder text NOT NULL DEFAULT 'text_encoder';
ALTER TABLE concept_embeddings DROP CONSTRAINT concept_embeddings_concept_id_step_key;
ALTER TABLE concept_embeddings
    ADD CONSTRAINT concept_embeddings_concept_step_encoder UNIQUE (concept_id, step, text_encoder);

-- The text metadata of the file an embedding was imported from (A1111's step, sd_checkpoint, ...),
-- written back into the files it is exported as; empty for learned embeddings.
ALTER TABLE concept_embeddings ADD COLUMN file_metadata jsonb NOT NULL DEFAULT '{}'::jsonb;
