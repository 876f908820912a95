-- pgvector objects, kept apart so every other migration also applies on a Postgres without pgvector.
create extension if not exists vector with schema extensions;

-- 1536 dimensions: OpenAI text-embedding-3-small and the local hashing embedder.
alter table public.brand_guidelines add column if not exists embedding extensions.vector(1536);
create index if not exists brand_guidelines_embedding_hnsw
  on public.brand_guidelines using hnsw (embedding extensions.vector_cosine_ops);

create or replace function public.match_brand_guidelines(p_brand_id uuid, p_query_embedding extensions.vector(1536),
                                                         p_match_count int, p_min_similarity float)
returns table (guideline_id uuid, content text, category text, similarity float)
-- The brand filter is applied after the HNSW scan; iterative scanning keeps reading the index
-- until enough rows of this brand are found (pgvector >= 0.8), instead of returning too few.
language plpgsql stable set search_path = public, extensions set hnsw.iterative_scan = strict_order as $$
begin
  if p_brand_id is null then
    perform bi_raise('BI400', 'brand_id is required', jsonb_build_object('field', 'brand_id'));
  end if;
  if p_query_embedding is null then
    perform bi_raise('BI400', 'query_embedding is required', jsonb_build_object('field', 'query_embedding'));
  end if;
  if p_match_count is null or p_match_count < 1 or p_match_count > 200 then
    perform bi_raise('BI400', 'match_count must be between 1 and 200', jsonb_build_object('field', 'match_count'));
  end if;
  return query
  select g.guideline_id, g.content, g.category, (1 - (g.embedding <=> p_query_embedding))::float as similarity
    from brand_guidelines g
   where g.brand_id = p_brand_id and g.embedding is not null
     and 1 - (g.embedding <=> p_query_embedding) >= coalesce(p_min_similarity, -1)
   order by g.embedding <=> p_query_embedding
   limit p_match_count;
end
$$;

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261122000300', 'pgvector')
  on conflict (version) do nothing;
