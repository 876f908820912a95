-- Publishing a post and the status sync it triggers take their locks in one order: the campaign
-- first, then the post, then the variants.
--
-- Two workers publishing posts of one campaign at once deadlocked, and Postgres failed one of them,
-- leaving its post "unknown" although the platform had it. Worker A updated its post twice in one
-- transaction (bi_complete_publish sets the receipt, then bi_transition the status); the second
-- update re-checks the post's foreign keys, so A waited for a key share on the variant. Worker B,
-- in the status sync after its own post, held that variant and the campaign, and waited for A.
-- - bi_lock_publish_attempt, which every completion and failure of a publish calls first, now
--   locks the post's campaign before the post, so the publishes of one campaign take turns for
--   their few writes instead of interleaving.
-- - The sync and the script trigger lock campaign and variant rows FOR NO KEY UPDATE instead of
--   FOR UPDATE: they serialise the writers just as well (no writer changes a key), but do not
--   conflict with the key share that a foreign-key check of the same or another transaction holds.
-- The functions are otherwise those of 20261122000700 and 20261202000300.

create or replace function public.bi_lock_publish_attempt(p_post_id uuid, p_owner text) returns platform_posts
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype;
begin
  -- The campaign first (as every campaign writer takes it), then the post.
  perform 1 from campaigns where campaign_id = (select campaign_id from platform_posts where post_id = p_post_id) for no key update;
  select * into p from platform_posts where post_id = p_post_id for update;
  if not found then
    perform bi_raise('BI404', format('platform_post %s not found', p_post_id), jsonb_build_object('entity', 'platform_post', 'id', p_post_id));
  end if;
  if p.attempt_owner is distinct from p_owner then
    perform bi_raise('BI409', format('platform_post %s is not being published by %s', p_post_id, p_owner),
                     jsonb_build_object('attempt_owner', p.attempt_owner));
  end if;
  return p;
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
  select * into c from campaigns where campaign_id = p_campaign_id for no key update;
  if not found then return v_changes; end if;
  for v in select * from variants where campaign_id = p_campaign_id and status not in ('failed', 'archived')
            order by created_at for no key update loop
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

create or replace function public.bi_script_variant_trigger() returns trigger
language plpgsql set search_path = public, extensions as $$
declare
  v_variant uuid;
begin
  if new.campaign_id is null or new.variant_tag is null then return null; end if;
  -- The campaign lock first (as every campaign writer takes it): one variant per tag, also when two
  -- scripts of one tag are written at once. NO KEY UPDATE: the script's insert already holds the
  -- foreign key's KEY SHARE on the campaign.
  perform 1 from campaigns where campaign_id = new.campaign_id for no key update;
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
select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261207000100', 'publish_lock_order')
  on conflict (version) do nothing;
