-- Pillars 1 and 2 (Strategist, Copywriter): guideline ingestion, trends and competitor ads,
-- briefs behind the brand-alignment gate, hooks, scripts with every version kept, safety reports.

-- Scene timings are not whole seconds (3.5 s scenes, 150 words-per-minute narration).
alter table public.scene_segments alter column duration_seconds type numeric(6,2);
alter table public.scripts alter column total_duration_seconds type numeric(6,2);

alter table public.creative_briefs add column if not exists review_reason text;
alter table public.creative_briefs add column if not exists alignment jsonb;
alter table public.brand_guidelines add column if not exists content_hash text;

-- Brand-level costs (guideline ingestion) belong to a brand, not to a campaign.
alter table public.cost_ledger alter column campaign_id drop not null;
alter table public.cost_ledger add column if not exists brand_id uuid references public.brands(brand_id);
alter table public.cost_ledger add constraint cost_ledger_owner_check check (campaign_id is not null or brand_id is not null);

create table if not exists public.safety_reports (
  report_id uuid primary key default gen_random_uuid(),
  campaign_id uuid references public.campaigns(campaign_id),
  brand_id uuid references public.brands(brand_id),
  entity text not null check (entity in ('creative_brief', 'hook', 'script', 'video', 'caption', 'platform_post', 'text')),
  entity_id uuid,
  route text not null check (route in ('pass', 'human_review', 'reject')),
  confidence numeric not null check (confidence between 0 and 1),
  checks jsonb not null,
  reasons jsonb not null default '[]'::jsonb,
  created_at timestamptz not null default now()
);
create index if not exists safety_reports_entity_idx on public.safety_reports (entity, entity_id, created_at desc);
create index if not exists safety_reports_campaign_idx on public.safety_reports (campaign_id, created_at desc);

create unique index if not exists trends_topic_source_day_idx on public.trends (lower(topic), source, ((detected_at at time zone 'UTC')::date));

-- ---------------------------------------------------------------- guidelines
-- Replaces every chunk of one document of a brand (re-ingesting never duplicates). Embeddings
-- (text '[...]') are written only where the pgvector migration added the column.
create or replace function public.bi_replace_guideline_document(p_brand_id uuid, p_document_id text, p_chunks jsonb)
returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v_chunk jsonb;
  v_id uuid;
  v_has_vector boolean := exists (select 1 from information_schema.columns
                                  where table_schema = 'public' and table_name = 'brand_guidelines' and column_name = 'embedding');
  v_removed int;
  v_ids jsonb := '[]'::jsonb;
  v_index int := 0;
begin
  if not exists (select 1 from brands where brand_id = p_brand_id) then
    perform bi_raise('BI404', format('brand %s not found', p_brand_id), jsonb_build_object('entity', 'brand', 'id', p_brand_id, 'field', 'brand_id'));
  end if;
  if p_document_id is null or length(btrim(p_document_id)) = 0 then
    perform bi_raise('BI400', 'document_id is required', jsonb_build_object('field', 'document_id'));
  end if;
  if p_chunks is null or jsonb_typeof(p_chunks) <> 'array' or jsonb_array_length(p_chunks) = 0 then
    perform bi_raise('BI400', 'chunks must be a non-empty array', jsonb_build_object('field', 'chunks'));
  end if;
  perform pg_advisory_xact_lock(hashtext(p_brand_id::text || '/' || p_document_id));
  delete from brand_guidelines where brand_id = p_brand_id and document_id = p_document_id;
  get diagnostics v_removed = row_count;
  for v_chunk in select * from jsonb_array_elements(p_chunks) loop
    insert into brand_guidelines (brand_id, content, category, document_id, chunk_index, content_hash)
    values (p_brand_id, bi_arg_text(v_chunk, 'content', true, 20000),
            coalesce(bi_arg_enum(v_chunk, 'category', array['tone', 'visual_style', 'restrictions', 'other']), 'other'),
            p_document_id, v_index, bi_arg_text(v_chunk, 'content_hash'))
    returning guideline_id into v_id;
    if v_chunk ? 'embedding' and jsonb_typeof(v_chunk -> 'embedding') <> 'null' then
      if not v_has_vector then
        perform bi_raise('BI422', 'this database has no pgvector: store guideline vectors in Pinecone instead',
                         jsonb_build_object('field', 'embedding'));
      end if;
      execute 'update public.brand_guidelines set embedding = $1::extensions.vector where guideline_id = $2'
        using v_chunk ->> 'embedding', v_id;
    end if;
    v_ids := v_ids || to_jsonb(v_id);
    v_index := v_index + 1;
  end loop;
  return jsonb_build_object('brand_id', p_brand_id, 'document_id', p_document_id, 'chunks', v_index,
                            'replaced_chunks', v_removed, 'guideline_ids', v_ids);
end
$$;

-- Brand-level cost (no campaign): recorded straight into the ledger.
create or replace function public.bi_record_brand_cost(p_brand_id uuid, p_pillar text, p_cost_type text,
                                                       p_amount_usd numeric, p_description text) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v_id uuid;
begin
  perform bi_check_money(p_amount_usd::text, 'amount_usd');
  if not exists (select 1 from brands where brand_id = p_brand_id) then
    perform bi_raise('BI404', format('brand %s not found', p_brand_id), jsonb_build_object('entity', 'brand', 'id', p_brand_id, 'field', 'brand_id'));
  end if;
  insert into cost_ledger (brand_id, pillar, cost_type, amount_usd, description)
  values (p_brand_id, p_pillar, p_cost_type, p_amount_usd, left(p_description, 2000)) returning ledger_entry_id into v_id;
  return jsonb_build_object('ledger_entry_id', v_id, 'brand_id', p_brand_id, 'amount_usd', bi_money(p_amount_usd));
exception
  when check_violation then
    perform bi_raise('BI400', 'pillar or cost_type is not valid', jsonb_build_object('field', 'pillar'));
end
$$;

-- ---------------------------------------------------------------- trends and competitor ads
create or replace function public.bi_record_trend(p_trend jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v trends%rowtype;
begin
  v.topic := bi_arg_text(p_trend, 'topic', true, 300);
  v.source := bi_arg_text(p_trend, 'source', true, 200);
  v.category := bi_arg_text(p_trend, 'category', false, 100);
  v.source_url := bi_arg_text(p_trend, 'source_url', false, 2000);
  v.engagement_score := bi_arg_money(p_trend, 'engagement_score');
  v.metadata := p_trend -> 'metadata';
  -- Seen again the same day from the same source: keep one row, with the higher score.
  insert into trends (topic, source, category, source_url, engagement_score, metadata)
  values (v.topic, v.source, v.category, v.source_url, v.engagement_score, v.metadata)
  on conflict (lower(topic), source, ((detected_at at time zone 'UTC')::date))
  do update set engagement_score = greatest(trends.engagement_score, excluded.engagement_score),
                metadata = coalesce(excluded.metadata, trends.metadata)
  returning * into v;
  return to_jsonb(v);
end
$$;

create or replace function public.bi_recent_trends(p_limit int default 20, p_since_hours int default 168) returns jsonb
language sql stable set search_path = public, extensions as $$
  select coalesce(jsonb_agg(to_jsonb(t) order by t.engagement_score desc nulls last, t.detected_at desc), '[]'::jsonb)
  from (select * from trends where detected_at >= now() - make_interval(hours => greatest(1, coalesce(p_since_hours, 168)))
        order by engagement_score desc nulls last, detected_at desc limit greatest(1, least(coalesce(p_limit, 20), 200))) t
$$;

create or replace function public.bi_record_competitor_ad(p_ad jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v competitor_ads%rowtype;
begin
  v.competitor_name := bi_arg_text(p_ad, 'competitor_name', true, 200);
  v.platform := bi_arg_text(p_ad, 'platform', true, 50);
  v.ad_url := bi_arg_text(p_ad, 'ad_url', false, 2000);
  v.media_url := bi_arg_text(p_ad, 'media_url', false, 2000);
  v.brand_id := bi_arg_uuid(p_ad, 'brand_id');
  v.engagement_metrics := p_ad -> 'engagement_metrics';
  v.patterns := p_ad -> 'patterns';
  insert into competitor_ads (competitor_name, platform, ad_url, media_url, brand_id, engagement_metrics, patterns,
                              analyzed_at)
  values (v.competitor_name, v.platform, v.ad_url, v.media_url, v.brand_id, v.engagement_metrics, v.patterns,
          case when v.patterns is not null then now() end)
  returning * into v;
  return to_jsonb(v);
exception
  when foreign_key_violation then
    perform bi_raise('BI404', 'brand not found', jsonb_build_object('field', 'brand_id'));
end
$$;

create or replace function public.bi_recent_competitor_ads(p_brand_id uuid, p_limit int default 10) returns jsonb
language sql stable set search_path = public, extensions as $$
  select coalesce(jsonb_agg(to_jsonb(a) order by a.detected_at desc), '[]'::jsonb)
  from (select * from competitor_ads where brand_id is null or brand_id = p_brand_id
        order by detected_at desc limit greatest(1, least(coalesce(p_limit, 10), 100))) a
$$;

-- ---------------------------------------------------------------- briefs
-- A brief at or above the alignment threshold is submitted ('pending' approval, or 'approved' when
-- the caller auto-approves); below it, it waits as 'pending' with a review reason.
create or replace function public.bi_create_brief(p_brief jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v creative_briefs%rowtype;
  v_threshold numeric := coalesce((p_brief ->> 'alignment_threshold')::numeric, 0.85);
  v_auto boolean := coalesce((p_brief ->> 'auto_approve')::boolean, false);
  v_actor text := bi_arg_text(p_brief, 'actor');
begin
  v.campaign_id := bi_arg_uuid(p_brief, 'campaign_id');
  v.brand_id := bi_arg_uuid(p_brief, 'brand_id', true);
  if jsonb_typeof(p_brief -> 'campaign_request') is distinct from 'object' then
    perform bi_raise('BI400', 'campaign_request must be an object', jsonb_build_object('field', 'campaign_request'));
  end if;
  if jsonb_typeof(p_brief -> 'creative_brief') is distinct from 'object' then
    perform bi_raise('BI400', 'creative_brief must be an object', jsonb_build_object('field', 'creative_brief'));
  end if;
  v.brand_alignment_score := (p_brief ->> 'brand_alignment_score')::numeric;
  if v.brand_alignment_score is null or v.brand_alignment_score < 0 or v.brand_alignment_score > 1 then
    perform bi_raise('BI400', 'brand_alignment_score must be between 0 and 1', jsonb_build_object('field', 'brand_alignment_score'));
  end if;
  if not exists (select 1 from brands where brand_id = v.brand_id) then
    perform bi_raise('BI404', format('brand %s not found', v.brand_id), jsonb_build_object('entity', 'brand', 'id', v.brand_id, 'field', 'brand_id'));
  end if;
  if v.campaign_id is not null and not exists (select 1 from campaigns where campaign_id = v.campaign_id and brand_id = v.brand_id) then
    perform bi_raise('BI404', format('campaign %s of brand %s not found', v.campaign_id, v.brand_id),
                     jsonb_build_object('entity', 'campaign', 'id', v.campaign_id, 'field', 'campaign_id'));
  end if;
  v.review_reason := case when v.brand_alignment_score < v_threshold
                          then format('brand alignment %s is below %s', round(v.brand_alignment_score, 3), v_threshold) end;
  v.approval_status := case when v.review_reason is null and v_auto then 'approved' else 'pending' end;
  v.variant_tags := array(select jsonb_array_elements_text(coalesce(p_brief -> 'variant_tags', '[]'::jsonb)));
  insert into creative_briefs (campaign_request, creative_brief, brand_alignment_score, approval_status, approved_at,
                               variant_tags, campaign_id, brand_id, review_reason, alignment)
  values (p_brief -> 'campaign_request', p_brief -> 'creative_brief', v.brand_alignment_score, v.approval_status,
          case when v.approval_status = 'approved' then now() end, v.variant_tags, v.campaign_id, v.brand_id,
          v.review_reason, p_brief -> 'alignment')
  returning * into v;
  -- The brief row carries its own id inside the seed's output shape.
  update creative_briefs set creative_brief = creative_brief || jsonb_build_object('brief_id', v.brief_id,
           'generated_at', v.created_at, 'approval_status', case when v.approval_status = 'approved' then 'approved' else 'pending' end)
   where brief_id = v.brief_id returning * into v;
  perform bi_audit(v.campaign_id, 'create', 'creative_brief', v.brief_id, v_actor, null,
                   jsonb_build_object('status', v.approval_status, 'brand_alignment_score', v.brand_alignment_score,
                                      'review_reason', v.review_reason));
  return to_jsonb(v) || jsonb_build_object('passed_gate', v.review_reason is null);
end
$$;

create or replace function public.bi_get_brief(p_brief_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v jsonb;
begin
  select to_jsonb(b) into v from creative_briefs b where brief_id = p_brief_id;
  if v is null then
    perform bi_raise('BI404', format('creative_brief %s not found', p_brief_id),
                     jsonb_build_object('entity', 'creative_brief', 'id', p_brief_id, 'field', 'brief_id'));
  end if;
  return v;
end
$$;

-- ---------------------------------------------------------------- hooks
create or replace function public.bi_store_hooks(p_brief_id uuid, p_hooks jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v_out jsonb := '[]'::jsonb;
  h jsonb;
  v_id uuid;
begin
  if not exists (select 1 from creative_briefs where brief_id = p_brief_id) then
    perform bi_raise('BI404', format('creative_brief %s not found', p_brief_id),
                     jsonb_build_object('entity', 'creative_brief', 'id', p_brief_id, 'field', 'brief_id'));
  end if;
  if p_hooks is null or jsonb_typeof(p_hooks) <> 'array' then
    perform bi_raise('BI400', 'hooks must be an array', jsonb_build_object('field', 'hooks'));
  end if;
  for h in select * from jsonb_array_elements(p_hooks) loop
    insert into hooks (brief_id, hook_text, hook_type, quality_score, variation_number, scores, rationale, selected)
    values (p_brief_id, bi_arg_text(h, 'text', true, 300),
            bi_arg_enum(h, 'hook_type', array['question', 'statement', 'visual_shock', 'story'], true),
            (h ->> 'quality_score')::numeric, (h ->> 'variation_number')::int, h -> 'scores', h ->> 'rationale',
            coalesce((h ->> 'selected')::boolean, false))
    returning hook_id into v_id;
    v_out := v_out || jsonb_build_object('hook_id', v_id, 'variation_number', (h ->> 'variation_number')::int);
  end loop;
  return jsonb_build_object('brief_id', p_brief_id, 'stored', jsonb_array_length(v_out), 'hooks', v_out);
exception
  when check_violation then
    perform bi_raise('BI400', 'quality_score must be between 0 and 1', jsonb_build_object('field', 'quality_score'));
end
$$;

create or replace function public.bi_brief_hooks(p_brief_id uuid, p_limit int default 50) returns jsonb
language sql stable set search_path = public, extensions as $$
  select coalesce(jsonb_agg(to_jsonb(h) order by h.quality_score desc nulls last, h.variation_number), '[]'::jsonb)
  from (select * from hooks where brief_id = p_brief_id
        order by quality_score desc nulls last, variation_number limit greatest(1, least(coalesce(p_limit, 50), 500))) h
$$;

-- Hooks of this brand's variants that have engagement: the loop of seed 002 feeding hook scoring.
create or replace function public.bi_best_past_hooks(p_brand_id uuid, p_limit int default 10) returns jsonb
language sql stable set search_path = public, extensions as $$
  select coalesce(jsonb_agg(x order by (x ->> 'engagement_rate')::numeric desc), '[]'::jsonb)
  from (
    select jsonb_build_object('text', h.hook_text, 'hook_type', h.hook_type,
                              'engagement_rate', (v.performance_metrics ->> 'engagement_rate')::numeric) x
    from hooks h
    join scripts s on s.script_id = h.script_id
    join variants v on v.script_id = s.script_id
    join campaigns c on c.campaign_id = v.campaign_id
    where c.brand_id = p_brand_id and h.selected and v.performance_metrics ? 'engagement_rate'
    order by (v.performance_metrics ->> 'engagement_rate')::numeric desc
    limit greatest(1, least(coalesce(p_limit, 10), 100))) t
$$;

-- ---------------------------------------------------------------- scripts
create or replace function public.bi_write_script_rows(p_script_id uuid, p_script jsonb) returns void
language plpgsql set search_path = public, extensions as $$
declare
  sc jsonb;
begin
  delete from scene_segments where script_id = p_script_id;
  for sc in select * from jsonb_array_elements(p_script -> 'scenes') loop
    insert into scene_segments (script_id, sequence, duration_seconds, visual_prompt, voiceover_text, visual_cues, audio_cues)
    values (p_script_id, (sc ->> 'sequence')::int, (sc ->> 'duration_seconds')::numeric, sc ->> 'visual_prompt',
            coalesce(sc ->> 'voiceover_text', ''), sc -> 'visual_cues', sc -> 'audio_cues');
  end loop;
end
$$;

create or replace function public.bi_create_script(p_script jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v scripts%rowtype;
  v_body jsonb := p_script -> 'script';
  v_hook uuid := bi_arg_uuid(p_script, 'hook_id');
begin
  v.brief_id := bi_arg_uuid(p_script, 'brief_id', true);
  if jsonb_typeof(v_body) is distinct from 'object' or jsonb_typeof(v_body -> 'scenes') is distinct from 'array' then
    perform bi_raise('BI400', 'script must be an object with scenes', jsonb_build_object('field', 'script'));
  end if;
  select campaign_id into v.campaign_id from creative_briefs where brief_id = v.brief_id;
  if not found then
    perform bi_raise('BI404', format('creative_brief %s not found', v.brief_id),
                     jsonb_build_object('entity', 'creative_brief', 'id', v.brief_id, 'field', 'brief_id'));
  end if;
  insert into scripts (brief_id, hook, scenes, voiceover_full_text, total_duration_seconds, variant_tag,
                       brand_compliance_score, approval_status, campaign_id)
  values (v.brief_id, v_body -> 'hook', v_body -> 'scenes', v_body ->> 'voiceover_full_text',
          (v_body ->> 'total_duration_seconds')::numeric, v_body ->> 'variant_tag',
          (v_body ->> 'brand_compliance_score')::numeric, 'draft', v.campaign_id)
  returning * into v;
  perform bi_write_script_rows(v.script_id, v_body);
  insert into script_versions (script_id, version_number, script_data)
  values (v.script_id, 1, v_body || jsonb_build_object('script_id', v.script_id, 'brief_id', v.brief_id));
  if v_hook is not null then
    update hooks set script_id = v.script_id, selected = true where hook_id = v_hook and brief_id = v.brief_id;
    if not found then
      perform bi_raise('BI404', format('hook %s of brief %s not found', v_hook, v.brief_id),
                       jsonb_build_object('entity', 'hook', 'id', v_hook, 'field', 'hook_id'));
    end if;
  end if;
  perform bi_audit(v.campaign_id, 'create', 'script', v.script_id, bi_arg_text(p_script, 'actor'), null,
                   jsonb_build_object('status', v.approval_status, 'version', 1, 'variant_tag', v.variant_tag));
  return to_jsonb(v);
exception
  when check_violation or invalid_text_representation then
    perform bi_raise('BI400', 'script has an invalid field (variant_tag, durations or scores)', jsonb_build_object('field', 'script'));
end
$$;

-- A new version of a script's content (every version kept), guarded by the row's state_version.
create or replace function public.bi_revise_script(p_script_id uuid, p_expected_version int, p_script jsonb,
                                                   p_actor text default null) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v scripts%rowtype;
begin
  select * into v from scripts where script_id = p_script_id for update;
  if not found then
    perform bi_raise('BI404', format('script %s not found', p_script_id), jsonb_build_object('entity', 'script', 'id', p_script_id));
  end if;
  if v.state_version <> p_expected_version then
    perform bi_raise('BI409', format('script %s is at version %s, not %s', p_script_id, v.state_version, p_expected_version),
                     jsonb_build_object('current_version', v.state_version, 'expected_version', p_expected_version));
  end if;
  if v.approval_status not in ('draft', 'rejected') then
    perform bi_raise('BI422', format('script %s is %s: only a draft or rejected script can be revised', p_script_id, v.approval_status),
                     jsonb_build_object('status', v.approval_status));
  end if;
  update scripts set hook = p_script -> 'hook', scenes = p_script -> 'scenes',
         voiceover_full_text = p_script ->> 'voiceover_full_text',
         total_duration_seconds = (p_script ->> 'total_duration_seconds')::numeric,
         brand_compliance_score = (p_script ->> 'brand_compliance_score')::numeric,
         version = version + 1, state_version = state_version + 1, updated_at = now()
   where script_id = p_script_id returning * into v;
  perform bi_write_script_rows(p_script_id, p_script);
  insert into script_versions (script_id, version_number, script_data, created_by)
  values (p_script_id, v.version, p_script || jsonb_build_object('script_id', p_script_id), bi_actor_uuid(p_actor));
  perform bi_audit(v.campaign_id, 'revise', 'script', p_script_id, p_actor, jsonb_build_object('version', v.version - 1),
                   jsonb_build_object('version', v.version));
  return to_jsonb(v);
end
$$;

create or replace function public.bi_get_script(p_script_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v jsonb;
begin
  select to_jsonb(s) || jsonb_build_object(
           'versions', (select jsonb_agg(jsonb_build_object('version_number', version_number, 'created_at', created_at)
                                         order by version_number) from script_versions where script_id = s.script_id),
           'scene_segments', (select jsonb_agg(to_jsonb(g) order by g.sequence) from scene_segments g where g.script_id = s.script_id))
    into v from scripts s where script_id = p_script_id;
  if v is null then
    perform bi_raise('BI404', format('script %s not found', p_script_id),
                     jsonb_build_object('entity', 'script', 'id', p_script_id, 'field', 'script_id'));
  end if;
  return v;
end
$$;

-- ---------------------------------------------------------------- safety reports
create or replace function public.bi_record_safety_report(p_report jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v safety_reports%rowtype;
begin
  v.entity := bi_arg_enum(p_report, 'entity', array['creative_brief', 'hook', 'script', 'video', 'caption', 'platform_post', 'text'], true);
  v.entity_id := bi_arg_uuid(p_report, 'entity_id');
  v.campaign_id := bi_arg_uuid(p_report, 'campaign_id');
  v.brand_id := bi_arg_uuid(p_report, 'brand_id');
  v.route := bi_arg_enum(p_report, 'route', array['pass', 'human_review', 'reject'], true);
  v.confidence := (p_report ->> 'confidence')::numeric;
  if v.confidence is null or v.confidence < 0 or v.confidence > 1 then
    perform bi_raise('BI400', 'confidence must be between 0 and 1', jsonb_build_object('field', 'confidence'));
  end if;
  if jsonb_typeof(p_report -> 'checks') is distinct from 'array' then
    perform bi_raise('BI400', 'checks must be an array', jsonb_build_object('field', 'checks'));
  end if;
  insert into safety_reports (campaign_id, brand_id, entity, entity_id, route, confidence, checks, reasons)
  values (v.campaign_id, v.brand_id, v.entity, v.entity_id, v.route, v.confidence, p_report -> 'checks',
          coalesce(p_report -> 'reasons', '[]'::jsonb))
  returning * into v;
  if v.entity = 'script' and v.entity_id is not null then
    update scripts set brand_compliance_score = v.confidence where script_id = v.entity_id;
  end if;
  return to_jsonb(v);
exception
  when foreign_key_violation then
    perform bi_raise('BI404', 'campaign or brand of the report not found', jsonb_build_object('field', 'campaign_id'));
end
$$;

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261122000400', 'strategist_copywriter')
  on conflict (version) do nothing;
