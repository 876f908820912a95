-- Pillar 5 publishing state: one platform_posts row per variant x platform x account (its
-- idempotency_key), recorded BEFORE any platform call, with a lease so two attempts never publish
-- at once and the platform's checkpoints stored as they come. An attempt whose outcome is unknown
-- goes to 'unknown' and is resolved by asking the platform, never by posting again.

alter table public.platform_posts add column if not exists attempt_owner text;
alter table public.platform_posts add column if not exists attempt_expires_at timestamptz;
alter table public.platform_posts add column if not exists attempts integer not null default 0;
alter table public.platform_posts add column if not exists publish_checkpoint jsonb;
alter table public.platform_posts add column if not exists last_error text;
alter table public.platform_posts add column if not exists post_url text;
alter table public.platform_posts add column if not exists variant_id uuid references public.variants(variant_id);

-- Returns the post row and what the caller must do next:
--   publish  — this caller holds the lease: publish now;
--   done     — already published: return the receipt, post nothing;
--   resolve  — a previous attempt may have reached the platform: ask it (findExisting) first;
--   busy     — another attempt holds a live lease;
--   hold     — a person must check (unknown outcome the platform cannot resolve).
create or replace function public.bi_begin_publish(p_post jsonb, p_owner text, p_lease_seconds int default 900) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype;
  v_key text := bi_arg_text(p_post, 'idempotency_key', true, 300);
  v_pub uuid;
  v_action text;
begin
  if p_owner is null or length(p_owner) = 0 then
    perform bi_raise('BI400', 'owner is required', jsonb_build_object('field', 'owner'));
  end if;
  select * into p from platform_posts where idempotency_key = v_key for update;
  if not found then
    p.campaign_id := bi_arg_uuid(p_post, 'campaign_id', true);
    p.variant_id := bi_arg_uuid(p_post, 'variant_id');
    select publication_id into v_pub from publications
     where campaign_id = p.campaign_id and variant_id is not distinct from p.variant_id order by created_at limit 1;
    if v_pub is null then
      insert into publications (campaign_id, variant_id) values (p.campaign_id, p.variant_id) returning publication_id into v_pub;
    end if;
    insert into platform_posts (publication_id, campaign_id, variant_id, platform, account_id, idempotency_key,
                                formatted_video_url, caption, hashtags, aspect_ratio, duration_seconds, thumbnail_url,
                                publication_status)
    values (v_pub, p.campaign_id, p.variant_id,
            bi_arg_enum(p_post, 'platform', array['instagram', 'tiktok', 'youtube', 'linkedin', 'blotato', 'outbox'], true),
            bi_arg_text(p_post, 'account_id', false, 300), v_key, bi_arg_text(p_post, 'formatted_video_url', true, 4000),
            bi_arg_text(p_post, 'caption', false, 10000),
            array(select jsonb_array_elements_text(coalesce(p_post -> 'hashtags', '[]'::jsonb))),
            bi_arg_enum(p_post, 'aspect_ratio', array['9:16', '16:9', '1:1']),
            round((p_post ->> 'duration_seconds')::numeric)::int, bi_arg_text(p_post, 'thumbnail_url', false, 4000), 'scheduled')
    returning * into p;
  end if;

  v_action := case
    when p.publication_status = 'published' then 'done'
    when p.publication_status = 'cancelled' then 'done'
    when p.publication_status in ('publishing') and p.attempt_expires_at > now() then 'busy'
    when p.publication_status in ('publishing', 'unknown') and p.publish_checkpoint is not null then 'resolve'
    when p.publication_status = 'unknown' then 'resolve'
    else 'publish' end;

  if v_action = 'publish' then
    if p.publication_status = 'failed' then
      perform bi_transition('platform_post', p.post_id, p.state_version, 'scheduled', p_owner, 'retry');
      select * into p from platform_posts where post_id = p.post_id;
    end if;
    if p.publication_status = 'scheduled' then
      perform bi_transition('platform_post', p.post_id, p.state_version, 'publishing', p_owner, 'attempt');
    end if;
  end if;
  if v_action in ('publish', 'resolve') then
    update platform_posts set attempt_owner = p_owner, attempts = attempts + case when v_action = 'publish' then 1 else 0 end,
           attempt_expires_at = now() + make_interval(secs => greatest(30, p_lease_seconds)), updated_at = now()
     where post_id = p.post_id;
  end if;
  select * into p from platform_posts where post_id = p.post_id;
  return jsonb_build_object('action', v_action, 'post', to_jsonb(p));
end
$$;

create or replace function public.bi_lock_publish_attempt(p_post_id uuid, p_owner text) returns platform_posts
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype;
begin
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

create or replace function public.bi_record_publish_checkpoint(p_post_id uuid, p_owner text, p_checkpoint jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype := bi_lock_publish_attempt(p_post_id, p_owner);
begin
  update platform_posts set publish_checkpoint = p_checkpoint, updated_at = now() where post_id = p.post_id returning * into p;
  return to_jsonb(p);
end
$$;

-- The platform accepted (or, resolving, the platform shows) the post: the receipt.
create or replace function public.bi_complete_publish(p_post_id uuid, p_owner text, p_platform_post_id text, p_url text,
                                                      p_via text default 'publish') returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype := bi_lock_publish_attempt(p_post_id, p_owner);
begin
  update platform_posts set platform_post_id = p_platform_post_id, post_url = p_url, attempt_owner = null,
         attempt_expires_at = null, last_error = null where post_id = p.post_id;
  perform bi_transition('platform_post', p.post_id, p.state_version, 'published', p_owner, p_via);
  update scheduled_posts set status = 'published', state_version = state_version + 1
   where platform_post_id = p.post_id and status = 'pending';
  select * into p from platform_posts where post_id = p_post_id;
  return to_jsonb(p);
end
$$;

-- A failed attempt. Known (the platform refused): failed, may be retried. Unknown: 'unknown', to be
-- resolved by asking the platform. Hold: unknown and the platform cannot tell; a person decides.
create or replace function public.bi_fail_publish(p_post_id uuid, p_owner text, p_reason text, p_known boolean) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype := bi_lock_publish_attempt(p_post_id, p_owner);
begin
  update platform_posts set last_error = left(p_reason, 2000), attempt_owner = null, attempt_expires_at = null
   where post_id = p.post_id;
  if p.publication_status = 'publishing' then
    perform bi_transition('platform_post', p.post_id, p.state_version, case when p_known then 'failed' else 'unknown' end, p_owner, p_reason);
  elsif p.publication_status = 'unknown' and p_known then
    perform bi_transition('platform_post', p.post_id, p.state_version, 'failed', p_owner, p_reason);
  end if;
  select * into p from platform_posts where post_id = p_post_id;
  return to_jsonb(p);
end
$$;

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261122000700', 'publishing')
  on conflict (version) do nothing;
