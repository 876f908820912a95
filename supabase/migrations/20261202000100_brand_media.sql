-- The brand media library (issue 11): the brand's own images, clips, logos, fonts and music, plus
-- stock footage fetched for it (Pexels, Pixabay), one row per file. The file lives in the media
-- store; the row says what it is (probed), what it shows (description, tags, embedding: see the
-- pgvector migration), who owns it (licence, attribution) and its content hash, so ingesting the
-- same bytes again is a no-op. Stock search results are cached by query.

create table if not exists public.brand_media (
  media_id uuid primary key default gen_random_uuid(),
  brand_id uuid not null references public.brands (brand_id) on delete cascade,
  kind text not null check (kind in ('image', 'video', 'logo', 'font', 'music')),
  origin text not null default 'upload' check (origin in ('upload', 'pexels', 'pixabay')),
  file_url text not null,
  file_name text not null,
  mime_type text,
  size_bytes bigint not null check (size_bytes > 0),
  width int,
  height int,
  duration_seconds numeric,
  description text not null,
  tags text[] not null default '{}',
  licence text not null,
  attribution text,
  attribution_required boolean not null default false,
  source_url text,
  external_id text,
  content_hash text not null check (content_hash ~ '^[0-9a-f]{64}$'),
  -- Subject framing per aspect ratio: {"9:16": {"left","top","width","height"} as fractions}.
  focus jsonb not null default '{}'::jsonb,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  unique (brand_id, content_hash)
);
create index if not exists brand_media_brand_kind_idx on public.brand_media (brand_id, kind);

create table if not exists public.stock_search_cache (
  provider text not null,
  media_kind text not null check (media_kind in ('video', 'photo')),
  query_key text not null,
  query text not null,
  results jsonb not null,
  fetched_at timestamptz not null default now(),
  primary key (provider, media_kind, query_key)
);

-- One file into the library. Same brand + same content hash: the existing row comes back with
-- "duplicate": true and nothing changes. The embedding (text '[...]') is written only where the
-- pgvector migration added the column.
create or replace function public.bi_ingest_brand_media(p_media jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v brand_media%rowtype;
  v_existing brand_media%rowtype;
  v_has_vector boolean := exists (select 1 from information_schema.columns
                                  where table_schema = 'public' and table_name = 'brand_media' and column_name = 'embedding');
  v_tags text[];
begin
  v.brand_id := bi_arg_uuid(p_media, 'brand_id', true);
  if not exists (select 1 from brands where brand_id = v.brand_id) then
    perform bi_raise('BI404', format('brand %s not found', v.brand_id), jsonb_build_object('entity', 'brand', 'id', v.brand_id, 'field', 'brand_id'));
  end if;
  v.content_hash := lower(bi_arg_text(p_media, 'content_hash', true, 64));
  if v.content_hash !~ '^[0-9a-f]{64}$' then
    perform bi_raise('BI400', 'content_hash must be a sha256 hex digest', jsonb_build_object('field', 'content_hash'));
  end if;
  perform pg_advisory_xact_lock(hashtext(v.brand_id::text || '/' || v.content_hash));
  select * into v_existing from brand_media where brand_id = v.brand_id and content_hash = v.content_hash;
  if found then
    return (to_jsonb(v_existing) - 'embedding') || jsonb_build_object('duplicate', true);
  end if;
  v.kind := bi_arg_enum(p_media, 'kind', array['image', 'video', 'logo', 'font', 'music'], true);
  v.origin := coalesce(bi_arg_enum(p_media, 'origin', array['upload', 'pexels', 'pixabay']), 'upload');
  v.file_url := bi_arg_text(p_media, 'file_url', true, 4000);
  v.file_name := bi_arg_text(p_media, 'file_name', true, 500);
  v.mime_type := bi_arg_text(p_media, 'mime_type', false, 200);
  v.description := bi_arg_text(p_media, 'description', true, 2000);
  v.licence := bi_arg_text(p_media, 'licence', true, 2000);
  v.attribution := bi_arg_text(p_media, 'attribution', false, 2000);
  v.source_url := bi_arg_text(p_media, 'source_url', false, 4000);
  v.external_id := bi_arg_text(p_media, 'external_id', false, 200);
  if jsonb_typeof(p_media -> 'size_bytes') <> 'number' or (p_media ->> 'size_bytes')::bigint <= 0 then
    perform bi_raise('BI400', 'size_bytes must be a positive number', jsonb_build_object('field', 'size_bytes'));
  end if;
  v.size_bytes := (p_media ->> 'size_bytes')::bigint;
  v.width := nullif(p_media ->> 'width', '')::int;
  v.height := nullif(p_media ->> 'height', '')::int;
  v.duration_seconds := nullif(p_media ->> 'duration_seconds', '')::numeric;
  v.attribution_required := coalesce((p_media ->> 'attribution_required')::boolean, false);
  if p_media ? 'tags' and jsonb_typeof(p_media -> 'tags') <> 'array' then
    perform bi_raise('BI400', 'tags must be an array of strings', jsonb_build_object('field', 'tags'));
  end if;
  select coalesce(array_agg(distinct lower(btrim(t))) filter (where length(btrim(t)) > 0), '{}')
    into v_tags from jsonb_array_elements_text(coalesce(p_media -> 'tags', '[]'::jsonb)) t;
  v.tags := v_tags;
  v.focus := coalesce(p_media -> 'focus', '{}'::jsonb);
  v.metadata := coalesce(p_media -> 'metadata', '{}'::jsonb);
  insert into brand_media (brand_id, kind, origin, file_url, file_name, mime_type, size_bytes, width, height, duration_seconds,
                           description, tags, licence, attribution, attribution_required, source_url, external_id,
                           content_hash, focus, metadata)
  values (v.brand_id, v.kind, v.origin, v.file_url, v.file_name, v.mime_type, v.size_bytes, v.width, v.height, v.duration_seconds,
          v.description, v.tags, v.licence, v.attribution, v.attribution_required, v.source_url, v.external_id,
          v.content_hash, v.focus, v.metadata)
  returning * into v;
  if p_media ? 'embedding' and jsonb_typeof(p_media -> 'embedding') <> 'null' then
    if not v_has_vector then
      perform bi_raise('BI422', 'this database has no pgvector: ingest media without an embedding', jsonb_build_object('field', 'embedding'));
    end if;
    execute 'update public.brand_media set embedding = $1::extensions.vector where media_id = $2'
      using p_media ->> 'embedding', v.media_id;
  end if;
  return (to_jsonb(v) - 'embedding') || jsonb_build_object('duplicate', false);
end
$$;

create or replace function public.bi_list_brand_media(p_brand_id uuid, p_kinds jsonb default null) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
begin
  if not exists (select 1 from brands where brand_id = p_brand_id) then
    perform bi_raise('BI404', format('brand %s not found', p_brand_id), jsonb_build_object('entity', 'brand', 'id', p_brand_id, 'field', 'brand_id'));
  end if;
  return coalesce((select jsonb_agg(to_jsonb(m) - 'embedding' order by m.created_at, m.media_id)
                     from brand_media m
                    where m.brand_id = p_brand_id and (p_kinds is null or jsonb_typeof(p_kinds) <> 'array' or m.kind in (select jsonb_array_elements_text(p_kinds)))), '[]'::jsonb);
end
$$;

create or replace function public.bi_get_brand_media(p_media_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v jsonb;
begin
  select to_jsonb(m) - 'embedding' into v from brand_media m where m.media_id = p_media_id;
  if v is null then
    perform bi_raise('BI404', format('media %s not found', p_media_id), jsonb_build_object('entity', 'brand_media', 'id', p_media_id, 'field', 'media_id'));
  end if;
  return v;
end
$$;

-- Stock search cache: the results of one query at one provider, fresh for p_max_age_seconds.
create or replace function public.bi_get_stock_search(p_provider text, p_media_kind text, p_query text, p_max_age_seconds int)
returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v stock_search_cache%rowtype;
begin
  select * into v from stock_search_cache
   where provider = p_provider and media_kind = p_media_kind and query_key = lower(btrim(regexp_replace(p_query, '\s+', ' ', 'g')))
     and fetched_at > now() - make_interval(secs => greatest(p_max_age_seconds, 0));
  if not found then return null; end if;
  return jsonb_build_object('provider', v.provider, 'media_kind', v.media_kind, 'query', v.query, 'results', v.results, 'fetched_at', v.fetched_at);
end
$$;

create or replace function public.bi_put_stock_search(p_provider text, p_media_kind text, p_query text, p_results jsonb)
returns jsonb
language plpgsql set search_path = public, extensions as $$
begin
  if p_provider is null or p_provider not in ('pexels', 'pixabay') then
    perform bi_raise('BI400', 'provider must be pexels or pixabay', jsonb_build_object('field', 'provider'));
  end if;
  if p_query is null or length(btrim(p_query)) = 0 then
    perform bi_raise('BI400', 'query is required', jsonb_build_object('field', 'query'));
  end if;
  if p_results is null or jsonb_typeof(p_results) <> 'array' then
    perform bi_raise('BI400', 'results must be an array', jsonb_build_object('field', 'results'));
  end if;
  insert into stock_search_cache (provider, media_kind, query_key, query, results, fetched_at)
  values (p_provider, p_media_kind, lower(btrim(regexp_replace(p_query, '\s+', ' ', 'g'))), p_query, p_results, now())
  on conflict (provider, media_kind, query_key) do update set results = excluded.results, query = excluded.query, fetched_at = excluded.fetched_at;
  return jsonb_build_object('provider', p_provider, 'media_kind', p_media_kind, 'results', jsonb_array_length(p_results));
end
$$;

-- What each scene of a campaign's videos is made from (the source its latest generation job
-- recorded: library asset id, stock id, typography, end card, or the generator), for the report.
create or replace function public.bi_scene_sources(p_campaign_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
begin
  return coalesce((
    select jsonb_agg(jsonb_build_object(
             'video_id', v.video_id, 'scene_id', sc.scene_id, 'sequence', sc.sequence, 'model_used', sc.model_used,
             'source', coalesce(j.parameters -> 'source', jsonb_build_object('type', 'generator', 'provider', j.provider, 'model', j.model_name)),
             'media', (select jsonb_build_object('file_name', m.file_name, 'kind', m.kind, 'origin', m.origin, 'licence', m.licence,
                                                 'attribution', m.attribution, 'attribution_required', m.attribution_required)
                         from brand_media m where m.media_id::text = j.parameters #>> '{source,media_id}'))
           order by v.created_at, v.video_id, sc.sequence)
      from videos v
      join scenes sc on sc.video_id = v.video_id
      left join lateral (select * from generation_jobs g where g.scene_id = sc.scene_id order by g.created_at desc limit 1) j on true
     where v.campaign_id = p_campaign_id), '[]'::jsonb);
end
$$;

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261202000100', 'brand_media')
  on conflict (version) do nothing;
