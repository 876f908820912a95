-- The state API: every change to state goes through one of these functions, each one transaction.
-- Errors carry stable SQLSTATEs (TypeScript maps them to typed errors) and a JSON `detail`:
--   BI400 bad argument      detail {"field": "..."}
--   BI404 not found         detail {"entity": "...", "id": "..."}
--   BI409 version conflict  detail {"current_version": n, "expected_version": m}
--   BI422 illegal transition / state
--   BI402 budget exceeded   detail {"budget_limit_usd", "committed_usd", "reserved_usd", "requested_usd"}
-- Money crosses this boundary as decimal strings with 6 places, never as JSON floats.

-- ---------------------------------------------------------------- small helpers
create or replace function public.bi_raise(p_code text, p_message text, p_detail jsonb default null,
                                           p_hint text default null) returns void
language plpgsql set search_path = public, extensions as $$
begin
  raise exception using errcode = p_code, message = p_message,
    detail = coalesce(p_detail::text, ''), hint = coalesce(p_hint, '');
end
$$;

create or replace function public.bi_money(p numeric) returns text
language sql immutable set search_path = public, extensions as $$
  select case when p is null then null else round(p, 6)::text end
$$;

-- A text field of a JSON argument; required fields must be non-empty strings.
create or replace function public.bi_arg_text(p jsonb, p_field text, p_required boolean default false,
                                              p_max_length int default 10000) returns text
language plpgsql immutable set search_path = public, extensions as $$
declare
  v jsonb := p -> p_field;
begin
  if v is null or jsonb_typeof(v) = 'null' then
    if p_required then
      perform bi_raise('BI400', format('%s is required', p_field), jsonb_build_object('field', p_field));
    end if;
    return null;
  end if;
  if jsonb_typeof(v) <> 'string' then
    perform bi_raise('BI400', format('%s must be a string, got %s', p_field, jsonb_typeof(v)),
                     jsonb_build_object('field', p_field));
  end if;
  if p_required and length(btrim(v #>> '{}')) = 0 then
    perform bi_raise('BI400', format('%s must not be empty', p_field), jsonb_build_object('field', p_field));
  end if;
  if length(v #>> '{}') > p_max_length then
    perform bi_raise('BI400', format('%s is longer than %s characters', p_field, p_max_length),
                     jsonb_build_object('field', p_field));
  end if;
  return v #>> '{}';
end
$$;

create or replace function public.bi_arg_enum(p jsonb, p_field text, p_allowed text[], p_required boolean default false)
returns text
language plpgsql immutable set search_path = public, extensions as $$
declare
  v text := bi_arg_text(p, p_field, p_required, 100);
begin
  if v is not null and not (v = any (p_allowed)) then
    perform bi_raise('BI400', format('%s must be one of %s, got "%s"', p_field, array_to_string(p_allowed, ', '), v),
                     jsonb_build_object('field', p_field));
  end if;
  return v;
end
$$;

create or replace function public.bi_arg_uuid(p jsonb, p_field text, p_required boolean default false) returns uuid
language plpgsql immutable set search_path = public, extensions as $$
declare
  v text := bi_arg_text(p, p_field, p_required, 100);
begin
  if v is null then return null; end if;
  if v !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    perform bi_raise('BI400', format('%s must be a UUID, got "%s"', p_field, left(v, 60)),
                     jsonb_build_object('field', p_field));
  end if;
  return v::uuid;
end
$$;

-- Money from a JSON argument (string or number), non-negative, at most 6 decimal places.
create or replace function public.bi_arg_money(p jsonb, p_field text, p_required boolean default false) returns numeric
language plpgsql immutable set search_path = public, extensions as $$
declare
  v jsonb := p -> p_field;
begin
  if v is null or jsonb_typeof(v) = 'null' then
    if p_required then
      perform bi_raise('BI400', format('%s is required', p_field), jsonb_build_object('field', p_field));
    end if;
    return null;
  end if;
  if jsonb_typeof(v) not in ('string', 'number') then
    perform bi_raise('BI400', format('%s must be an amount in USD', p_field), jsonb_build_object('field', p_field));
  end if;
  return bi_check_money(v #>> '{}', p_field);
end
$$;

create or replace function public.bi_check_money(p_value text, p_field text, p_allow_negative boolean default false)
returns numeric
language plpgsql immutable set search_path = public, extensions as $$
begin
  if p_value is null then
    perform bi_raise('BI400', format('%s is required', p_field), jsonb_build_object('field', p_field));
  end if;
  if p_value !~ '^-?[0-9]{1,12}(\.[0-9]{1,6})?$' then
    perform bi_raise('BI400', format('%s must be a decimal amount in USD with at most 6 decimal places, got "%s"',
                                     p_field, left(p_value, 40)), jsonb_build_object('field', p_field));
  end if;
  if not p_allow_negative and p_value::numeric < 0 then
    perform bi_raise('BI400', format('%s must not be negative', p_field), jsonb_build_object('field', p_field));
  end if;
  return p_value::numeric;
end
$$;

create or replace function public.bi_actor_uuid(p_actor text) returns uuid
language sql immutable set search_path = public, extensions as $$
  select case when p_actor ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              then p_actor::uuid end
$$;

create or replace function public.bi_audit(p_campaign_id uuid, p_action text, p_entity text, p_entity_id uuid,
                                           p_actor text, p_previous jsonb, p_new jsonb) returns void
language sql set search_path = public, extensions as $$
  insert into campaign_audit_log (campaign_id, action, actor, actor_label, entity, entity_id, previous_state, new_state)
  values (p_campaign_id, p_action, bi_actor_uuid(p_actor), p_actor, p_entity, p_entity_id, p_previous, p_new)
$$;

-- ---------------------------------------------------------------- status graphs
create table public.bi_entity_registry (
  entity text primary key,
  table_name text not null,
  id_column text not null,
  status_column text not null
);

create table public.bi_status_graph (
  entity text not null references public.bi_entity_registry(entity),
  from_status text not null,
  to_status text not null,
  primary key (entity, from_status, to_status)
);

insert into public.bi_entity_registry values
  ('campaign', 'campaigns', 'campaign_id', 'status'),
  ('variant', 'variants', 'variant_id', 'status'),
  ('creative_brief', 'creative_briefs', 'brief_id', 'approval_status'),
  ('script', 'scripts', 'script_id', 'approval_status'),
  ('video', 'videos', 'video_id', 'approval_status'),
  ('generation_job', 'generation_jobs', 'job_id', 'status'),
  ('platform_post', 'platform_posts', 'post_id', 'publication_status'),
  ('scheduled_post', 'scheduled_posts', 'schedule_id', 'status'),
  ('approval', 'approvals', 'approval_id', 'status');

-- The approval diagram of seed 003, for briefs, scripts and videos.
insert into public.bi_status_graph
select e, f, t from unnest(array['creative_brief', 'script', 'video']) e,
  (values ('draft', 'pending'), ('pending', 'approved'), ('pending', 'rejected'), ('rejected', 'draft'),
          ('approved', 'in_production'), ('in_production', 'completed'), ('completed', 'published')) g(f, t);

insert into public.bi_status_graph values
  ('campaign', 'draft', 'in_production'), ('campaign', 'in_production', 'completed'),
  ('campaign', 'completed', 'published'),
  ('campaign', 'draft', 'paused'), ('campaign', 'in_production', 'paused'), ('campaign', 'completed', 'paused'),
  ('campaign', 'paused', 'draft'), ('campaign', 'paused', 'in_production'), ('campaign', 'paused', 'completed'),
  ('campaign', 'draft', 'cancelled'), ('campaign', 'in_production', 'cancelled'),
  ('campaign', 'completed', 'cancelled'), ('campaign', 'paused', 'cancelled'),

  ('variant', 'draft', 'in_production'), ('variant', 'in_production', 'completed'),
  ('variant', 'completed', 'published'), ('variant', 'in_production', 'failed'),
  ('variant', 'failed', 'in_production'), ('variant', 'draft', 'archived'),
  ('variant', 'in_production', 'archived'), ('variant', 'completed', 'archived'),
  ('variant', 'failed', 'archived'), ('variant', 'published', 'archived'),

  -- submitting = the provider call is under way or its outcome is unknown: never resubmit from
  -- there without asking the provider; only a confirmed failure goes back to queued (via failed).
  ('generation_job', 'queued', 'submitting'), ('generation_job', 'queued', 'cancelled'),
  ('generation_job', 'submitting', 'processing'), ('generation_job', 'submitting', 'completed'),
  ('generation_job', 'submitting', 'failed'), ('generation_job', 'processing', 'completed'),
  ('generation_job', 'processing', 'failed'), ('generation_job', 'processing', 'cancelled'),
  ('generation_job', 'failed', 'queued'), ('generation_job', 'failed', 'dead_letter'),

  -- unknown = the platform may have accepted the post; resolved only by asking it or a person.
  ('platform_post', 'scheduled', 'publishing'), ('platform_post', 'scheduled', 'cancelled'),
  ('platform_post', 'publishing', 'published'), ('platform_post', 'publishing', 'failed'),
  ('platform_post', 'publishing', 'unknown'), ('platform_post', 'unknown', 'published'),
  ('platform_post', 'unknown', 'failed'), ('platform_post', 'failed', 'scheduled'),
  ('platform_post', 'failed', 'cancelled'),

  ('scheduled_post', 'pending', 'published'), ('scheduled_post', 'pending', 'cancelled'),
  ('scheduled_post', 'pending', 'failed'), ('scheduled_post', 'failed', 'pending'),

  ('approval', 'pending', 'approved'), ('approval', 'pending', 'rejected'),
  ('approval', 'pending', 'expired'), ('approval', 'pending', 'cancelled');

-- ---------------------------------------------------------------- bi_transition
create or replace function public.bi_transition(p_entity text, p_id uuid, p_expected_version int, p_to_status text,
                                                p_actor text default null, p_reason text default null)
returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  r bi_entity_registry%rowtype;
  v_row jsonb;
  v_new jsonb;
  v_from text;
  v_version int;
  v_campaign uuid;
  v_allowed text[];
begin
  select * into r from bi_entity_registry where entity = p_entity;
  if not found then
    perform bi_raise('BI400', format('unknown entity "%s"', p_entity), jsonb_build_object('field', 'entity'),
      'one of: ' || (select string_agg(entity, ', ' order by entity) from bi_entity_registry));
  end if;
  if p_id is null then
    perform bi_raise('BI400', 'id is required', jsonb_build_object('field', 'id'));
  end if;
  if p_expected_version is null then
    perform bi_raise('BI400', 'expected version is required (optimistic concurrency)',
                     jsonb_build_object('field', 'expected_version'));
  end if;

  execute format('select to_jsonb(t) from public.%I t where %I = $1 for update', r.table_name, r.id_column)
    into v_row using p_id;
  if v_row is null then
    perform bi_raise('BI404', format('%s %s not found', p_entity, p_id),
                     jsonb_build_object('entity', p_entity, 'id', p_id));
  end if;

  v_from := v_row ->> r.status_column;
  v_version := (v_row ->> 'state_version')::int;
  v_campaign := (v_row ->> 'campaign_id')::uuid;
  if v_version <> p_expected_version then
    perform bi_raise('BI409', format('%s %s is at version %s, not %s: it changed since you read it',
                                     p_entity, p_id, v_version, p_expected_version),
                     jsonb_build_object('current_version', v_version, 'expected_version', p_expected_version,
                                        'current_status', v_from));
  end if;

  select array_agg(to_status order by to_status) into v_allowed
    from bi_status_graph where entity = p_entity and from_status = v_from;
  if p_to_status is null or not (p_to_status = any (coalesce(v_allowed, '{}'))) then
    perform bi_raise('BI422', format('%s %s cannot go from "%s" to "%s"', p_entity, p_id, v_from, p_to_status),
                     jsonb_build_object('from_status', v_from, 'to_status', p_to_status, 'allowed', to_jsonb(v_allowed)),
                     'allowed from "' || v_from || '": ' || coalesce(array_to_string(v_allowed, ', '), 'none'));
  end if;

  if p_entity = 'campaign' and v_from = 'paused' and p_to_status <> 'cancelled' then
    if p_to_status <> (v_row ->> 'paused_from') then
      perform bi_raise('BI422', format('campaign %s was paused from "%s" and can only resume to it',
                                       p_id, v_row ->> 'paused_from'),
                       jsonb_build_object('from_status', v_from, 'to_status', p_to_status));
    end if;
    if (v_row ->> 'budget_limit_usd') is not null
       and (v_row ->> 'current_cost_usd')::numeric >= (v_row ->> 'budget_limit_usd')::numeric then
      perform bi_raise('BI402', format('campaign %s has spent its whole budget; raise the budget before resuming', p_id),
                       jsonb_build_object('budget_limit_usd', bi_money((v_row ->> 'budget_limit_usd')::numeric),
                                          'committed_usd', bi_money((v_row ->> 'current_cost_usd')::numeric)));
    end if;
  end if;

  execute format('update public.%I set %I = $1, state_version = state_version + 1 where %I = $2 returning to_jsonb(%I.*)',
                 r.table_name, r.status_column, r.id_column, r.table_name)
    into v_new using p_to_status, p_id;

  -- Columns that follow a status change, per entity.
  case p_entity
    when 'campaign' then
      update campaigns set updated_at = now(),
        paused_from = case when p_to_status = 'paused' then v_from end,
        paused_reason = case when p_to_status = 'paused' then p_reason end
      where campaign_id = p_id returning to_jsonb(campaigns.*) into v_new;
    when 'variant' then
      update variants set updated_at = now() where variant_id = p_id returning to_jsonb(variants.*) into v_new;
    when 'creative_brief' then
      update creative_briefs set updated_at = now(),
        approved_at = case when p_to_status = 'approved' then now() else approved_at end,
        approved_by = case when p_to_status = 'approved' then bi_actor_uuid(p_actor) else approved_by end
      where brief_id = p_id returning to_jsonb(creative_briefs.*) into v_new;
    when 'script' then
      update scripts set updated_at = now(),
        approved_at = case when p_to_status = 'approved' then now() else approved_at end,
        approved_by = case when p_to_status = 'approved' then bi_actor_uuid(p_actor) else approved_by end
      where script_id = p_id returning to_jsonb(scripts.*) into v_new;
    when 'video' then
      update videos set updated_at = now(),
        approved_at = case when p_to_status = 'approved' then now() else approved_at end,
        approved_by = case when p_to_status = 'approved' then bi_actor_uuid(p_actor) else approved_by end
      where video_id = p_id returning to_jsonb(videos.*) into v_new;
    when 'generation_job' then
      update generation_jobs set updated_at = now(),
        started_at = case when p_to_status = 'submitting' and started_at is null then now() else started_at end,
        completed_at = case when p_to_status in ('completed', 'dead_letter', 'cancelled') then now() else completed_at end,
        error_message = case when p_to_status in ('failed', 'dead_letter') then coalesce(p_reason, error_message)
                             else error_message end,
        lease_owner = case when p_to_status in ('completed', 'dead_letter', 'cancelled') then null else lease_owner end,
        lease_expires_at = case when p_to_status in ('completed', 'dead_letter', 'cancelled') then null else lease_expires_at end
      where job_id = p_id returning to_jsonb(generation_jobs.*) into v_new;
    when 'platform_post' then
      update platform_posts set updated_at = now(),
        published_at = case when p_to_status = 'published' then now() else published_at end
      where post_id = p_id returning to_jsonb(platform_posts.*) into v_new;
    when 'approval' then
      update approvals set updated_at = now(),
        decided_at = case when p_to_status in ('approved', 'rejected') then now() else decided_at end,
        decided_by = case when p_to_status in ('approved', 'rejected') then p_actor else decided_by end,
        feedback = case when p_to_status in ('approved', 'rejected') then coalesce(p_reason, feedback) else feedback end
      where approval_id = p_id returning to_jsonb(approvals.*) into v_new;
    else
      null;
  end case;

  perform bi_audit(v_campaign, 'transition', p_entity, p_id, p_actor,
                   jsonb_build_object('status', v_from, 'state_version', v_version),
                   jsonb_build_object('status', p_to_status, 'state_version', v_version + 1, 'reason', p_reason));

  return jsonb_build_object('entity', p_entity, 'id', p_id, 'from_status', v_from, 'status', p_to_status,
                            'state_version', v_version + 1, 'record', v_new);
end
$$;

-- ---------------------------------------------------------------- brands, campaigns, variants, assets
create or replace function public.bi_create_brand(p_brand jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v brands%rowtype;
  v_field text;
begin
  if p_brand is null or jsonb_typeof(p_brand) <> 'object' then
    perform bi_raise('BI400', 'brand must be an object', jsonb_build_object('field', 'brand'));
  end if;
  foreach v_field in array array['color_palette', 'restricted_keywords'] loop
    if p_brand ? v_field and (jsonb_typeof(p_brand -> v_field) <> 'array'
       or exists (select 1 from jsonb_array_elements(p_brand -> v_field) e where jsonb_typeof(e) <> 'string')) then
      perform bi_raise('BI400', format('%s must be an array of strings', v_field), jsonb_build_object('field', v_field));
    end if;
  end loop;
  insert into brands (brand_name, tone, visual_style, color_palette, restricted_keywords, metadata)
  values (bi_arg_text(p_brand, 'brand_name', true, 200),
          bi_arg_text(p_brand, 'tone'),
          bi_arg_text(p_brand, 'visual_style'),
          coalesce(p_brand -> 'color_palette', '[]'::jsonb),
          coalesce(p_brand -> 'restricted_keywords', '[]'::jsonb),
          coalesce(p_brand -> 'metadata', '{}'::jsonb))
  returning * into v;
  return to_jsonb(v);
end
$$;

create or replace function public.bi_get_brand(p_brand_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v jsonb;
begin
  select to_jsonb(b) into v from brands b where brand_id = p_brand_id;
  if v is null then
    perform bi_raise('BI404', format('brand %s not found', p_brand_id), jsonb_build_object('entity', 'brand', 'id', p_brand_id, 'field', 'brand_id'));
  end if;
  return v;
end
$$;

create or replace function public.bi_campaign_json(p_campaign campaigns) returns jsonb
language sql stable set search_path = public, extensions as $$
  select to_jsonb(p_campaign) || jsonb_build_object(
    'budget_limit_usd', bi_money(p_campaign.budget_limit_usd),
    'current_cost_usd', bi_money(p_campaign.current_cost_usd))
$$;

create or replace function public.bi_create_campaign(p_campaign jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v campaigns%rowtype;
  v_brand uuid;
begin
  if p_campaign is null or jsonb_typeof(p_campaign) <> 'object' then
    perform bi_raise('BI400', 'campaign must be an object', jsonb_build_object('field', 'campaign'));
  end if;
  v_brand := bi_arg_uuid(p_campaign, 'brand_id', true);
  v.campaign_name := bi_arg_text(p_campaign, 'campaign_name', true, 200);
  v.budget_limit_usd := bi_arg_money(p_campaign, 'budget_limit_usd');
  v.created_by := bi_arg_uuid(p_campaign, 'created_by');
  if not exists (select 1 from brands where brand_id = v_brand) then
    perform bi_raise('BI404', format('brand %s not found', v_brand),
                     jsonb_build_object('entity', 'brand', 'id', v_brand, 'field', 'brand_id'));
  end if;
  insert into campaigns (campaign_name, brand_id, budget_limit_usd, created_by)
  values (v.campaign_name, v_brand, v.budget_limit_usd, v.created_by)
  returning * into v;
  perform bi_audit(v.campaign_id, 'create', 'campaign', v.campaign_id, bi_arg_text(p_campaign, 'actor'), null,
                   jsonb_build_object('status', v.status, 'state_version', v.state_version,
                                      'budget_limit_usd', bi_money(v.budget_limit_usd)));
  return bi_campaign_json(v);
end
$$;

create or replace function public.bi_set_campaign_budget(p_campaign_id uuid, p_expected_version int,
                                                         p_budget_limit_usd numeric, p_actor text default null)
returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v campaigns%rowtype;
  v_old numeric;
begin
  if p_budget_limit_usd is not null then
    perform bi_check_money(p_budget_limit_usd::text, 'budget_limit_usd');
  end if;
  select * into v from campaigns where campaign_id = p_campaign_id for update;
  if not found then
    perform bi_raise('BI404', format('campaign %s not found', p_campaign_id),
                     jsonb_build_object('entity', 'campaign', 'id', p_campaign_id));
  end if;
  if v.state_version <> p_expected_version then
    perform bi_raise('BI409', format('campaign %s is at version %s, not %s', p_campaign_id, v.state_version, p_expected_version),
                     jsonb_build_object('current_version', v.state_version, 'expected_version', p_expected_version));
  end if;
  v_old := v.budget_limit_usd;
  update campaigns set budget_limit_usd = p_budget_limit_usd, state_version = state_version + 1, updated_at = now()
    where campaign_id = p_campaign_id returning * into v;
  perform bi_audit(p_campaign_id, 'set_budget', 'campaign', p_campaign_id, p_actor,
                   jsonb_build_object('budget_limit_usd', bi_money(v_old), 'state_version', p_expected_version),
                   jsonb_build_object('budget_limit_usd', bi_money(p_budget_limit_usd), 'state_version', v.state_version));
  return bi_campaign_json(v);
end
$$;

create or replace function public.bi_create_variant(p_variant jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v variants%rowtype;
begin
  if p_variant is null or jsonb_typeof(p_variant) <> 'object' then
    perform bi_raise('BI400', 'variant must be an object', jsonb_build_object('field', 'variant'));
  end if;
  v.campaign_id := bi_arg_uuid(p_variant, 'campaign_id', true);
  v.variant_type := bi_arg_enum(p_variant, 'variant_type', array['humorous', 'serious', 'emotional', 'educational'], true);
  v.brief_id := bi_arg_uuid(p_variant, 'brief_id');
  v.script_id := bi_arg_uuid(p_variant, 'script_id');
  v.video_id := bi_arg_uuid(p_variant, 'video_id');
  perform 1 from campaigns where campaign_id = v.campaign_id for update;
  if not found then
    perform bi_raise('BI404', format('campaign %s not found', v.campaign_id),
                     jsonb_build_object('entity', 'campaign', 'id', v.campaign_id, 'field', 'campaign_id'));
  end if;
  insert into variants (campaign_id, variant_type, brief_id, script_id, video_id)
  values (v.campaign_id, v.variant_type, v.brief_id, v.script_id, v.video_id)
  returning * into v;
  perform bi_audit(v.campaign_id, 'create', 'variant', v.variant_id, bi_arg_text(p_variant, 'actor'), null,
                   jsonb_build_object('variant_type', v.variant_type, 'status', v.status, 'state_version', v.state_version));
  return to_jsonb(v);
exception
  when foreign_key_violation then
    perform bi_raise('BI404', 'brief, script or video referenced by the variant does not exist',
                     jsonb_build_object('field', 'brief_id/script_id/video_id'));
end
$$;

create or replace function public.bi_register_asset(p_asset jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v assets%rowtype;
begin
  if p_asset is null or jsonb_typeof(p_asset) <> 'object' then
    perform bi_raise('BI400', 'asset must be an object', jsonb_build_object('field', 'asset'));
  end if;
  v.variant_id := bi_arg_uuid(p_asset, 'variant_id');
  v.campaign_id := bi_arg_uuid(p_asset, 'campaign_id');
  v.asset_type := bi_arg_enum(p_asset, 'asset_type',
    array['brief', 'script', 'video', 'audio', 'image', 'clip', 'thumbnail', 'caption', 'other'], true);
  v.asset_url := bi_arg_text(p_asset, 'asset_url', false, 4000);
  if p_asset ? 'asset_metadata' and jsonb_typeof(p_asset -> 'asset_metadata') not in ('object', 'null') then
    perform bi_raise('BI400', 'asset_metadata must be an object', jsonb_build_object('field', 'asset_metadata'));
  end if;
  v.asset_metadata := p_asset -> 'asset_metadata';
  if v.variant_id is not null then
    select campaign_id into v.campaign_id from variants
      where variant_id = v.variant_id and (v.campaign_id is null or campaign_id = v.campaign_id);
    if not found then
      perform bi_raise('BI404', format('variant %s not found in that campaign', v.variant_id),
                       jsonb_build_object('entity', 'variant', 'id', v.variant_id, 'field', 'variant_id'));
    end if;
  elsif v.campaign_id is null then
    perform bi_raise('BI400', 'campaign_id or variant_id is required', jsonb_build_object('field', 'campaign_id'));
  elsif not exists (select 1 from campaigns where campaign_id = v.campaign_id) then
    perform bi_raise('BI404', format('campaign %s not found', v.campaign_id),
                     jsonb_build_object('entity', 'campaign', 'id', v.campaign_id, 'field', 'campaign_id'));
  end if;
  insert into assets (variant_id, campaign_id, asset_type, asset_url, asset_metadata)
  values (v.variant_id, v.campaign_id, v.asset_type, v.asset_url, v.asset_metadata)
  returning * into v;
  perform bi_audit(v.campaign_id, 'register_asset', 'asset', v.asset_id, bi_arg_text(p_asset, 'actor'), null,
                   jsonb_build_object('asset_type', v.asset_type, 'asset_url', v.asset_url, 'variant_id', v.variant_id));
  return to_jsonb(v);
end
$$;

-- ---------------------------------------------------------------- budget: reserve, settle, record
create or replace function public.bi_reserved_usd(p_campaign_id uuid) returns numeric
language sql stable set search_path = public, extensions as $$
  select coalesce(sum(amount_usd), 0) from budget_reservations
  where campaign_id = p_campaign_id and status = 'active' and expires_at > now()
$$;

create or replace function public.bi_lock_campaign(p_campaign_id uuid) returns campaigns
language plpgsql set search_path = public, extensions as $$
declare
  v campaigns%rowtype;
begin
  if p_campaign_id is null then
    perform bi_raise('BI400', 'campaign_id is required', jsonb_build_object('field', 'campaign_id'));
  end if;
  select * into v from campaigns where campaign_id = p_campaign_id for update;
  if not found then
    perform bi_raise('BI404', format('campaign %s not found', p_campaign_id),
                     jsonb_build_object('entity', 'campaign', 'id', p_campaign_id, 'field', 'campaign_id'));
  end if;
  return v;
end
$$;

create or replace function public.bi_check_cost_args(p_campaign_id uuid, p_variant_id uuid, p_pillar text,
                                                     p_cost_type text default 'api_cost') returns void
language plpgsql stable set search_path = public, extensions as $$
begin
  if p_pillar is null or p_pillar not in ('strategist', 'copywriter', 'production', 'campaign_manager', 'broadcaster') then
    perform bi_raise('BI400', format('pillar must be one of strategist, copywriter, production, campaign_manager, broadcaster, got "%s"', p_pillar),
                     jsonb_build_object('field', 'pillar'));
  end if;
  if p_cost_type is null or p_cost_type not in ('api_cost', 'storage_cost', 'processing_cost', 'adjustment') then
    perform bi_raise('BI400', format('cost_type must be one of api_cost, storage_cost, processing_cost, adjustment, got "%s"', p_cost_type),
                     jsonb_build_object('field', 'cost_type'));
  end if;
  if p_variant_id is not null
     and not exists (select 1 from variants where variant_id = p_variant_id and campaign_id = p_campaign_id) then
    perform bi_raise('BI404', format('variant %s not found in campaign %s', p_variant_id, p_campaign_id),
                     jsonb_build_object('entity', 'variant', 'id', p_variant_id, 'field', 'variant_id'));
  end if;
end
$$;

-- Budget figures of a campaign, as returned by every budget function.
create or replace function public.bi_budget_json(p_campaign_id uuid) returns jsonb
language sql stable set search_path = public, extensions as $$
  select jsonb_build_object(
    'campaign_id', c.campaign_id,
    'campaign_status', c.status,
    'budget_limit_usd', bi_money(c.budget_limit_usd),
    'committed_usd', bi_money(c.current_cost_usd),
    'reserved_usd', bi_money(r.reserved),
    'remaining_usd', bi_money(c.budget_limit_usd - c.current_cost_usd - r.reserved),
    'percent_used', case when c.budget_limit_usd > 0
                         then round(100 * c.current_cost_usd / c.budget_limit_usd, 2) end,
    'alerts', coalesce((select jsonb_agg(jsonb_build_object('threshold_pct', a.threshold_pct,
                                                            'committed_usd', bi_money(a.committed_usd),
                                                            'created_at', a.created_at) order by a.threshold_pct)
                        from budget_alerts a where a.campaign_id = c.campaign_id), '[]'::jsonb))
  from campaigns c, lateral (select bi_reserved_usd(c.campaign_id) as reserved) r
  where c.campaign_id = p_campaign_id
$$;

create or replace function public.bi_budget_status(p_campaign_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v jsonb := bi_budget_json(p_campaign_id);
begin
  if v is null then
    perform bi_raise('BI404', format('campaign %s not found', p_campaign_id),
                     jsonb_build_object('entity', 'campaign', 'id', p_campaign_id, 'field', 'campaign_id'));
  end if;
  return v;
end
$$;

-- After a cost lands: record each threshold crossed (once each) and pause the campaign at 100 %.
-- Returns the thresholds newly crossed. The caller holds the campaign row lock.
create or replace function public.bi_apply_budget_thresholds(p_campaign_id uuid) returns int[]
language plpgsql set search_path = public, extensions as $$
declare
  c campaigns%rowtype;
  v_new int[];
begin
  select * into c from campaigns where campaign_id = p_campaign_id;
  if c.budget_limit_usd is null then
    return '{}';
  end if;
  with crossed as (
    insert into budget_alerts (campaign_id, threshold_pct, committed_usd, budget_limit_usd)
    select c.campaign_id, t, c.current_cost_usd, c.budget_limit_usd
    from unnest(array[50, 75, 90, 100]) t
    where c.current_cost_usd >= c.budget_limit_usd * t / 100.0
    on conflict (campaign_id, threshold_pct) do nothing
    returning threshold_pct)
  select coalesce(array_agg(threshold_pct order by threshold_pct), '{}') into v_new from crossed;

  if c.current_cost_usd >= c.budget_limit_usd and c.status in ('draft', 'in_production', 'completed') then
    perform bi_transition('campaign', c.campaign_id, c.state_version, 'paused', 'budget',
                          format('budget exhausted: %s of %s USD committed', bi_money(c.current_cost_usd),
                                 bi_money(c.budget_limit_usd)));
  end if;
  return v_new;
end
$$;

create or replace function public.bi_reserve_budget(p_campaign_id uuid, p_variant_id uuid, p_pillar text,
                                                    p_amount_usd numeric, p_ref text) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  c campaigns%rowtype;
  v_existing budget_reservations%rowtype;
  v_res budget_reservations%rowtype;
  v_reserved numeric;
begin
  if p_amount_usd is null or p_amount_usd <= 0 then
    perform bi_raise('BI400', 'amount_usd must be greater than 0', jsonb_build_object('field', 'amount_usd'));
  end if;
  perform bi_check_money(p_amount_usd::text, 'amount_usd');
  c := bi_lock_campaign(p_campaign_id);
  perform bi_check_cost_args(p_campaign_id, p_variant_id, p_pillar);

  -- The same ref is the same reservation: a retried call must not hold the budget twice.
  if p_ref is not null then
    select * into v_existing from budget_reservations where campaign_id = p_campaign_id and ref = p_ref;
    if found then
      if v_existing.amount_usd <> p_amount_usd or v_existing.pillar <> p_pillar
         or v_existing.variant_id is distinct from p_variant_id then
        perform bi_raise('BI409', format('reservation ref "%s" already exists with different arguments', p_ref),
                         jsonb_build_object('reservation_id', v_existing.reservation_id, 'field', 'ref'));
      end if;
      return jsonb_build_object('reservation_id', v_existing.reservation_id, 'amount_usd', bi_money(v_existing.amount_usd),
                                'status', v_existing.status, 'expires_at', v_existing.expires_at, 'replayed', true)
             || bi_budget_json(p_campaign_id);
    end if;
  end if;

  if c.status = 'paused' then
    perform bi_raise('BI402', format('campaign %s is paused%s; resume it before spending', p_campaign_id,
                                     coalesce(' (' || c.paused_reason || ')', '')),
                     jsonb_build_object('campaign_status', c.status, 'budget_limit_usd', bi_money(c.budget_limit_usd),
                                        'committed_usd', bi_money(c.current_cost_usd)));
  end if;
  if c.status in ('cancelled', 'published') then
    perform bi_raise('BI422', format('campaign %s is %s and takes no new costs', p_campaign_id, c.status),
                     jsonb_build_object('campaign_status', c.status));
  end if;

  v_reserved := bi_reserved_usd(p_campaign_id);
  if c.budget_limit_usd is not null and c.current_cost_usd + v_reserved + p_amount_usd > c.budget_limit_usd then
    perform bi_raise('BI402',
      format('reserving %s USD would take campaign %s past its budget: %s committed + %s reserved of %s USD',
             bi_money(p_amount_usd), p_campaign_id, bi_money(c.current_cost_usd), bi_money(v_reserved),
             bi_money(c.budget_limit_usd)),
      jsonb_build_object('budget_limit_usd', bi_money(c.budget_limit_usd), 'committed_usd', bi_money(c.current_cost_usd),
                         'reserved_usd', bi_money(v_reserved), 'requested_usd', bi_money(p_amount_usd)));
  end if;

  insert into budget_reservations (campaign_id, variant_id, pillar, amount_usd, ref)
  values (p_campaign_id, p_variant_id, p_pillar, p_amount_usd, p_ref)
  returning * into v_res;
  return jsonb_build_object('reservation_id', v_res.reservation_id, 'amount_usd', bi_money(v_res.amount_usd),
                            'status', v_res.status, 'expires_at', v_res.expires_at, 'replayed', false)
         || bi_budget_json(p_campaign_id);
end
$$;

-- Inserts one ledger row (the trigger below keeps campaigns.current_cost_usd equal to the sum).
create or replace function public.bi_insert_cost(p_campaign_id uuid, p_variant_id uuid, p_pillar text, p_cost_type text,
                                                 p_amount_usd numeric, p_description text, p_reservation_id uuid)
returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v_entry cost_ledger%rowtype;
  v_alerts int[];
begin
  insert into cost_ledger (campaign_id, variant_id, pillar, cost_type, amount_usd, description, reservation_id)
  values (p_campaign_id, p_variant_id, p_pillar, p_cost_type, p_amount_usd, left(p_description, 2000), p_reservation_id)
  returning * into v_entry;
  v_alerts := bi_apply_budget_thresholds(p_campaign_id);
  return jsonb_build_object('ledger_entry_id', v_entry.ledger_entry_id, 'amount_usd', bi_money(v_entry.amount_usd),
                            'pillar', v_entry.pillar, 'cost_type', v_entry.cost_type,
                            'alerts_triggered', to_jsonb(v_alerts))
         || bi_budget_json(p_campaign_id);
end
$$;

create or replace function public.bi_settle_reservation(p_reservation_id uuid, p_actual_usd numeric, p_cost_type text,
                                                        p_description text) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v_res budget_reservations%rowtype;
  v_out jsonb;
begin
  if p_reservation_id is null then
    perform bi_raise('BI400', 'reservation_id is required', jsonb_build_object('field', 'reservation_id'));
  end if;
  perform bi_check_money(p_actual_usd::text, 'actual_usd');
  select * into v_res from budget_reservations where reservation_id = p_reservation_id for update;
  if not found then
    perform bi_raise('BI404', format('reservation %s not found', p_reservation_id),
                     jsonb_build_object('entity', 'reservation', 'id', p_reservation_id, 'field', 'reservation_id'));
  end if;
  perform bi_lock_campaign(v_res.campaign_id);
  perform bi_check_cost_args(v_res.campaign_id, v_res.variant_id, v_res.pillar, p_cost_type);

  if v_res.status = 'settled' then
    -- A retried settlement returns the first one; it never charges twice.
    if v_res.settled_amount_usd <> p_actual_usd then
      perform bi_raise('BI409', format('reservation %s was already settled at %s USD', p_reservation_id,
                                       bi_money(v_res.settled_amount_usd)),
                       jsonb_build_object('settled_amount_usd', bi_money(v_res.settled_amount_usd)));
    end if;
    return jsonb_build_object('reservation_id', v_res.reservation_id, 'ledger_entry_id', v_res.ledger_entry_id,
                              'amount_usd', bi_money(v_res.settled_amount_usd), 'replayed', true,
                              'alerts_triggered', '[]'::jsonb)
           || bi_budget_json(v_res.campaign_id);
  end if;
  if v_res.status = 'released' then
    perform bi_raise('BI422', format('reservation %s was released and cannot be settled', p_reservation_id),
                     jsonb_build_object('status', v_res.status));
  end if;

  -- The actual cost is recorded even above the estimate or after expiry: the money was spent.
  v_out := bi_insert_cost(v_res.campaign_id, v_res.variant_id, v_res.pillar, p_cost_type, p_actual_usd,
                          p_description, v_res.reservation_id);
  update budget_reservations
     set status = 'settled', settled_amount_usd = p_actual_usd, settled_at = now(),
         ledger_entry_id = (v_out ->> 'ledger_entry_id')::uuid, state_version = state_version + 1
   where reservation_id = p_reservation_id;
  return v_out || jsonb_build_object('reservation_id', p_reservation_id, 'estimated_usd', bi_money(v_res.amount_usd),
                                     'replayed', false)
         || bi_budget_json(v_res.campaign_id);
end
$$;

create or replace function public.bi_release_reservation(p_reservation_id uuid, p_reason text default null) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v_res budget_reservations%rowtype;
begin
  select * into v_res from budget_reservations where reservation_id = p_reservation_id for update;
  if not found then
    perform bi_raise('BI404', format('reservation %s not found', p_reservation_id),
                     jsonb_build_object('entity', 'reservation', 'id', p_reservation_id, 'field', 'reservation_id'));
  end if;
  if v_res.status = 'settled' then
    perform bi_raise('BI422', format('reservation %s is already settled', p_reservation_id),
                     jsonb_build_object('status', v_res.status));
  end if;
  if v_res.status = 'active' then
    update budget_reservations set status = 'released', state_version = state_version + 1
     where reservation_id = p_reservation_id;
    perform bi_audit(v_res.campaign_id, 'release_reservation', 'reservation', p_reservation_id, null, null,
                     jsonb_build_object('amount_usd', bi_money(v_res.amount_usd), 'reason', p_reason));
  end if;
  return jsonb_build_object('reservation_id', p_reservation_id, 'status', 'released') || bi_budget_json(v_res.campaign_id);
end
$$;

create or replace function public.bi_record_cost(p_campaign_id uuid, p_variant_id uuid, p_pillar text, p_cost_type text,
                                                 p_amount_usd numeric, p_description text) returns jsonb
language plpgsql set search_path = public, extensions as $$
begin
  perform bi_check_money(p_amount_usd::text, 'amount_usd', p_cost_type = 'adjustment');
  perform bi_lock_campaign(p_campaign_id);
  perform bi_check_cost_args(p_campaign_id, p_variant_id, p_pillar, p_cost_type);
  return bi_insert_cost(p_campaign_id, p_variant_id, p_pillar, p_cost_type, p_amount_usd, p_description, null);
end
$$;

-- The ledger is append-only and campaigns.current_cost_usd is its running sum.
create or replace function public.bi_cost_ledger_apply() returns trigger
language plpgsql set search_path = public, extensions as $$
begin
  update campaigns set current_cost_usd = current_cost_usd + new.amount_usd, updated_at = now()
   where campaign_id = new.campaign_id;
  return new;
end
$$;
create trigger cost_ledger_apply after insert on public.cost_ledger
  for each row execute function public.bi_cost_ledger_apply();

create or replace function public.bi_cost_ledger_append_only() returns trigger
language plpgsql set search_path = public, extensions as $$
begin
  raise exception using errcode = 'BI422', message = 'cost_ledger is append-only: record an adjustment instead';
end
$$;
create trigger cost_ledger_append_only before update or delete on public.cost_ledger
  for each row execute function public.bi_cost_ledger_append_only();

-- Cost per pillar, per variant and per cost type, in the seed's ledger_entry.cost_breakdown shape.
create or replace function public.bi_cost_summary(p_campaign_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v_budget jsonb := bi_budget_status(p_campaign_id);
  v_pillars jsonb;
begin
  select jsonb_object_agg(p, bi_money(coalesce(s, 0))) into v_pillars
  from unnest(array['strategist', 'copywriter', 'production', 'campaign_manager', 'broadcaster']) p
  left join (select pillar, sum(amount_usd) s from cost_ledger where campaign_id = p_campaign_id group by pillar) l
    on l.pillar = p;
  return jsonb_build_object(
    'campaign_id', p_campaign_id,
    'total_usd', v_budget -> 'committed_usd',
    'by_pillar', v_pillars,
    'cost_breakdown', jsonb_build_object(
      'strategist_cost', v_pillars -> 'strategist', 'copywriter_cost', v_pillars -> 'copywriter',
      'production_cost', v_pillars -> 'production', 'broadcaster_cost', v_pillars -> 'broadcaster',
      'campaign_manager_cost', v_pillars -> 'campaign_manager', 'total_cost', v_budget -> 'committed_usd'),
    'by_cost_type', coalesce((select jsonb_object_agg(cost_type, bi_money(s))
                              from (select cost_type, sum(amount_usd) s from cost_ledger
                                    where campaign_id = p_campaign_id group by cost_type) t), '{}'::jsonb),
    'by_variant', coalesce((
      select jsonb_agg(jsonb_build_object('variant_id', v.variant_id, 'variant_type', v.variant_type,
                                          'total_usd', bi_money(coalesce(t.total, 0)),
                                          'by_pillar', coalesce(t.by_pillar, '{}'::jsonb)) order by v.created_at)
      from variants v
      left join lateral (
        select sum(s) total, jsonb_object_agg(pillar, bi_money(s)) by_pillar
        from (select pillar, sum(amount_usd) s from cost_ledger where variant_id = v.variant_id group by pillar) x
      ) t on true
      where v.campaign_id = p_campaign_id), '[]'::jsonb),
    'unattributed_usd', bi_money((select coalesce(sum(amount_usd), 0) from cost_ledger
                                  where campaign_id = p_campaign_id and variant_id is null)),
    'budget', v_budget);
end
$$;

-- ---------------------------------------------------------------- reads
create or replace function public.bi_get_campaign(p_campaign_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  c campaigns%rowtype;
begin
  select * into c from campaigns where campaign_id = p_campaign_id;
  if not found then
    perform bi_raise('BI404', format('campaign %s not found', p_campaign_id),
                     jsonb_build_object('entity', 'campaign', 'id', p_campaign_id, 'field', 'campaign_id'));
  end if;
  return bi_campaign_json(c) || jsonb_build_object(
    'variants', coalesce((select jsonb_agg(to_jsonb(v) order by v.created_at) from variants v
                          where v.campaign_id = p_campaign_id), '[]'::jsonb),
    'assets', coalesce((select jsonb_agg(to_jsonb(a) order by a.created_at) from assets a
                        where a.campaign_id = p_campaign_id), '[]'::jsonb),
    'budget', bi_budget_json(p_campaign_id));
end
$$;

create or replace function public.bi_list_campaigns(p_filter jsonb default '{}'::jsonb) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v_filter jsonb := coalesce(p_filter, '{}'::jsonb);
  v_brand uuid := bi_arg_uuid(v_filter, 'brand_id');
  v_status text := bi_arg_enum(v_filter, 'status',
                               array['draft', 'in_production', 'completed', 'published', 'paused', 'cancelled']);
  v_limit int := coalesce((v_filter ->> 'limit')::int, 50);
  v_offset int := coalesce((v_filter ->> 'offset')::int, 0);
begin
  if v_limit < 1 or v_limit > 500 then
    perform bi_raise('BI400', 'limit must be between 1 and 500', jsonb_build_object('field', 'limit'));
  end if;
  if v_offset < 0 then
    perform bi_raise('BI400', 'offset must not be negative', jsonb_build_object('field', 'offset'));
  end if;
  return coalesce((select jsonb_agg(bi_campaign_json(c) order by c.created_at desc, c.campaign_id)
                   from (select * from campaigns
                         where (v_brand is null or brand_id = v_brand) and (v_status is null or status = v_status)
                         order by created_at desc, campaign_id limit v_limit offset v_offset) c), '[]'::jsonb);
exception
  when invalid_text_representation then
    perform bi_raise('BI400', 'limit and offset must be integers', jsonb_build_object('field', 'limit'));
end
$$;

create or replace function public.bi_audit_trail(p_campaign_id uuid, p_limit int default 200) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
begin
  if not exists (select 1 from campaigns where campaign_id = p_campaign_id) then
    perform bi_raise('BI404', format('campaign %s not found', p_campaign_id),
                     jsonb_build_object('entity', 'campaign', 'id', p_campaign_id, 'field', 'campaign_id'));
  end if;
  return coalesce((select jsonb_agg(to_jsonb(l) - 'seq' order by l.seq)
                   from (select * from campaign_audit_log where campaign_id = p_campaign_id
                         order by seq desc limit greatest(1, least(coalesce(p_limit, 200), 5000))) l), '[]'::jsonb);
end
$$;

-- ---------------------------------------------------------------- generation jobs: the poller's claim
create or replace function public.bi_claim_generation_jobs(p_worker text, p_max_jobs int, p_lease_seconds int)
returns setof public.generation_jobs
language plpgsql set search_path = public, extensions as $$
begin
  if p_worker is null or length(btrim(p_worker)) = 0 then
    perform bi_raise('BI400', 'worker is required', jsonb_build_object('field', 'worker'));
  end if;
  if p_max_jobs is null or p_max_jobs < 1 or p_max_jobs > 1000 then
    perform bi_raise('BI400', 'max_jobs must be between 1 and 1000', jsonb_build_object('field', 'max_jobs'));
  end if;
  if p_lease_seconds is null or p_lease_seconds < 1 or p_lease_seconds > 86400 then
    perform bi_raise('BI400', 'lease_seconds must be between 1 and 86400', jsonb_build_object('field', 'lease_seconds'));
  end if;
  return query
  with claimed as (
    update generation_jobs j
       set lease_owner = p_worker, lease_expires_at = now() + make_interval(secs => p_lease_seconds), updated_at = now()
     where j.job_id in (
       select job_id from generation_jobs
        where status in ('queued', 'submitting', 'processing')
          and next_poll_at <= now()
          and (lease_expires_at is null or lease_expires_at <= now())
        order by priority desc, next_poll_at, created_at
        limit p_max_jobs
        for update skip locked)
    returning j.*)
  select * from claimed order by priority desc, next_poll_at, created_at;
end
$$;

create or replace function public.bi_schema_info() returns jsonb
language sql stable set search_path = public, extensions as $$
  select jsonb_build_object(
    'versions', (select jsonb_agg(version order by version) from bi_schema_version),
    'vector', exists (select 1 from pg_extension where extname = 'vector'),
    'match_brand_guidelines', exists (select 1 from pg_proc where proname = 'match_brand_guidelines'))
$$;

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261122000200', 'state_api')
  on conflict (version) do nothing;
