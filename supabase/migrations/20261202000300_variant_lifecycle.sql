-- Variants and the campaign's status follow the work, whoever does it (a template, a node, a script).
-- - Every script of a campaign belongs to the campaign's variant of its tag (created on first use).
-- - Every video belongs to its script's variant; the variant points at its newest video.
-- - The campaign and its variants move along the status graph (bi_transition: OCC and an audit row
--   per step) as the pillars finish:
--     variant   draft → in_production (a video is being made) → completed (a person approved its
--               video) → published (live on every target platform of the request, or on one)
--     campaign  draft → in_production (any variant in production) → completed (every variant
--               completed) → published (every variant published)
--   A paused or cancelled campaign is left alone (its resume goes back to where it was paused).

-- The status a variant has earned from its work (never backwards). Published: a post is live on
-- every platform the campaign request targets (or, when it names none, on one platform).
create or replace function public.bi_variant_earned_status(p_variant_id uuid) returns text
language sql stable set search_path = public, extensions as $$
  with live as (
    select p.platform from platform_posts p left join publications pub on pub.publication_id = p.publication_id
     where coalesce(p.variant_id, pub.variant_id) = p_variant_id and p.publication_status = 'published'
  ), targets as (
    select jsonb_array_elements_text(case when jsonb_typeof(b.campaign_request -> 'target_platforms') = 'array'
                                          then b.campaign_request -> 'target_platforms' else '[]'::jsonb end) as platform
      from variants v join creative_briefs b on b.brief_id = v.brief_id where v.variant_id = p_variant_id
  )
  select case
    when exists (select 1 from live) and not exists (select 1 from targets t where t.platform not in (select platform from live))
      then 'published'
    when exists (select 1 from videos x where x.variant_id = p_variant_id
                   and x.approval_status in ('approved', 'in_production', 'completed', 'published'))
      then 'completed'
    when exists (select 1 from videos x where x.variant_id = p_variant_id) then 'in_production'
    else 'draft'
  end
$$;

-- Steps an entity forward along draft → in_production → completed → published, one transition each.
create or replace function public.bi_advance_status(p_entity text, p_id uuid, p_from text, p_version int, p_to text,
                                                    p_actor text, p_reason text) returns text
language plpgsql set search_path = public, extensions as $$
declare
  v_path text[] := array['draft', 'in_production', 'completed', 'published'];
  v_at int := array_position(v_path, p_from);
  v_to int := array_position(v_path, p_to);
  v_row jsonb;
begin
  if v_at is null or v_to is null then return p_from; end if;
  while v_at < v_to loop
    v_row := bi_transition(p_entity, p_id, p_version, v_path[v_at + 1], p_actor, p_reason);
    p_version := (v_row ->> 'state_version')::int;
    v_at := v_at + 1;
  end loop;
  return v_path[v_at];
end
$$;

-- Derives and applies the campaign's and its variants' statuses; returns what changed.
create or replace function public.bi_sync_campaign_status(p_campaign_id uuid, p_actor text default 'pipeline')
returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  c campaigns%rowtype;
  v variants%rowtype;
  v_earned text;
  v_now text;
  v_changes jsonb := '[]'::jsonb;
  v_total int := 0;
  v_started int := 0;
  v_completed int := 0;
  v_published int := 0;
  v_target text;
begin
  if p_campaign_id is null then return v_changes; end if;
  select * into c from campaigns where campaign_id = p_campaign_id for update;
  if not found then return v_changes; end if;
  for v in select * from variants where campaign_id = p_campaign_id and status not in ('failed', 'archived')
            order by created_at for update loop
    v_earned := bi_variant_earned_status(v.variant_id);
    v_now := bi_advance_status('variant', v.variant_id, v.status, v.state_version, v_earned, p_actor, 'the variant''s work moved on');
    if v_now <> v.status then
      v_changes := v_changes || jsonb_build_object('entity', 'variant', 'id', v.variant_id, 'from', v.status, 'to', v_now);
    end if;
    v_total := v_total + 1;
    v_started := v_started + (v_now <> 'draft')::int;
    v_completed := v_completed + (v_now in ('completed', 'published'))::int;
    v_published := v_published + (v_now = 'published')::int;
  end loop;
  if v_total = 0 or c.status in ('paused', 'cancelled') then return v_changes; end if;
  v_target := case when v_published = v_total then 'published'
                   when v_completed = v_total then 'completed'
                   when v_started > 0 then 'in_production'
                   else 'draft' end;
  v_now := bi_advance_status('campaign', c.campaign_id, c.status, c.state_version, v_target, p_actor,
                             format('%s of %s variants published, %s completed', v_published, v_total, v_completed));
  if v_now <> c.status then
    v_changes := v_changes || jsonb_build_object('entity', 'campaign', 'id', c.campaign_id, 'from', c.status, 'to', v_now);
  end if;
  return v_changes;
end
$$;

-- ---------------------------------------------------------------- variants: one per script
-- Creating a variant for a script that already has one (the copywriter attached it) returns that
-- variant, with the brief or video given filled in, instead of a second variant of the same work.
alter function public.bi_create_variant(jsonb) rename to bi_insert_variant;
create or replace function public.bi_create_variant(p_variant jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v variants%rowtype;
  v_script uuid := bi_arg_uuid(p_variant, 'script_id');
begin
  if v_script is not null then
    select * into v from variants
     where script_id = v_script and campaign_id = bi_arg_uuid(p_variant, 'campaign_id')
       and variant_type = p_variant ->> 'variant_type'
     for update;
    if found then
      update variants set brief_id = coalesce(bi_arg_uuid(p_variant, 'brief_id'), brief_id),
                          video_id = coalesce(bi_arg_uuid(p_variant, 'video_id'), video_id), updated_at = now()
       where variant_id = v.variant_id returning * into v;
      return to_jsonb(v);
    end if;
  end if;
  return bi_insert_variant(p_variant);
end
$$;

-- ---------------------------------------------------------------- scripts → their variant
create or replace function public.bi_script_variant_trigger() returns trigger
language plpgsql set search_path = public, extensions as $$
declare
  v_variant uuid;
begin
  if new.campaign_id is null or new.variant_tag is null then return null; end if;
  -- The campaign lock first (as every campaign writer takes it): one variant per tag, also when two
  -- scripts of one tag are written at once.
  perform 1 from campaigns where campaign_id = new.campaign_id for update;
  select variant_id into v_variant from variants
   where campaign_id = new.campaign_id and variant_type = new.variant_tag and status not in ('failed', 'archived')
   order by created_at limit 1;
  if v_variant is null then
    perform bi_insert_variant(jsonb_build_object('campaign_id', new.campaign_id, 'variant_type', new.variant_tag,
                                                 'brief_id', new.brief_id, 'script_id', new.script_id, 'actor', 'copywriter'));
  else
    -- A newer script of the same tag (a rewrite) becomes the variant's script.
    update variants set script_id = new.script_id, brief_id = new.brief_id, updated_at = now()
     where variant_id = v_variant;
  end if;
  return null;
end
$$;
drop trigger if exists scripts_attach_variant on public.scripts;
create trigger scripts_attach_variant after insert on public.scripts
  for each row execute function public.bi_script_variant_trigger();

-- ---------------------------------------------------------------- videos → their variant, status
create or replace function public.bi_video_variant_trigger() returns trigger
language plpgsql set search_path = public, extensions as $$
begin
  if new.variant_id is null then
    select variant_id into new.variant_id from variants where script_id = new.script_id order by created_at limit 1;
  end if;
  return new;
end
$$;
drop trigger if exists videos_default_variant on public.videos;
create trigger videos_default_variant before insert on public.videos
  for each row execute function public.bi_video_variant_trigger();

create or replace function public.bi_video_status_trigger() returns trigger
language plpgsql set search_path = public, extensions as $$
begin
  if tg_op = 'INSERT' and new.variant_id is not null then
    update variants set video_id = new.video_id, updated_at = now() where variant_id = new.variant_id;
  end if;
  perform bi_sync_campaign_status(new.campaign_id, 'production');
  return null;
end
$$;
drop trigger if exists videos_sync_campaign on public.videos;
create trigger videos_sync_campaign after insert or update of approval_status on public.videos
  for each row execute function public.bi_video_status_trigger();

-- ---------------------------------------------------------------- posts → campaign status
create or replace function public.bi_post_status_trigger() returns trigger
language plpgsql set search_path = public, extensions as $$
begin
  if new.publication_status = 'published' then
    perform bi_sync_campaign_status(new.campaign_id, 'broadcaster');
  end if;
  return null;
end
$$;
drop trigger if exists platform_posts_sync_campaign on public.platform_posts;
create trigger platform_posts_sync_campaign after insert or update of publication_status on public.platform_posts
  for each row execute function public.bi_post_status_trigger();

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261202000300', 'variant_lifecycle')
  on conflict (version) do nothing;
