-- An interpolated point has rows per text encoder (an SDXL model has two): one row of
-- generation_embeddings per (generation, point, text encoder). Rows written before are SD 1.x/2.x
-- points of diffusers' text encoder "text_encoder".
ALTER TABLE generation_embeddings ADD COLUMN text_encoder text NOT NULL DEFAULT 'text_encoder';
ALTER TABLE generation_embeddings DROP CONSTRAINT generation_embeddings_pkey;
ALTER TABLE generation_embeddings ADD PRIMARY KEY (generation_id, position, text_encoder);
