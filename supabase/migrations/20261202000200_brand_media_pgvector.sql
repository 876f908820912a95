-- pgvector half of the brand media library (kept apart like 20261122000300_pgvector).
alter table public.brand_media add column if not exists embedding extensions.vector(1536);

-- Media of a brand closest to a query embedding (a scene's visual prompt), optionally of some kinds.
create or replace function public.match_brand_media(p_brand_id uuid, p_query_embedding extensions.vector(1536),
                                                    p_kinds jsonb, p_match_count int, p_min_similarity float)
returns table (media_id uuid, kind text, similarity float)
language plpgsql stable set search_path = public, extensions as $$
begin
  if p_brand_id is null then
    perform bi_raise('BI400', 'brand_id is required', jsonb_build_object('field', 'brand_id'));
  end if;
  if p_query_embedding is null then
    perform bi_raise('BI400', 'query_embedding is required', jsonb_build_object('field', 'query_embedding'));
  end if;
  if p_match_count is null or p_match_count < 1 or p_match_count > 500 then
    perform bi_raise('BI400', 'match_count must be between 1 and 500', jsonb_build_object('field', 'match_count'));
  end if;
  return query
  select m.media_id, m.kind, (1 - (m.embedding <=> p_query_embedding))::float as similarity
    from brand_media m
   where m.brand_id = p_brand_id and m.embedding is not null
     and (p_kinds is null or jsonb_typeof(p_kinds) <> 'array' or m.kind in (select jsonb_array_elements_text(p_kinds)))
     and 1 - (m.embedding <=> p_query_embedding) >= coalesce(p_min_similarity, -1)
   order by m.embedding <=> p_query_embedding, m.media_id
   limit p_match_count;
end
$$;

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261202000200', 'brand_media_pgvector')
  on conflict (version) do nothing;
