-- The Broadcaster (seed 003 pillar 5) on top of the exactly-once publishing state (0700):
--   * a post can be prepared without publishing: held for a person (the publish gate said
--     human_review) or scheduled for later (scheduled_posts);
--   * bi_begin_publish learns two more answers: `hold` (waiting for an approval on entity
--     platform_post) and `wait` (scheduled for later); no path can publish such a post early;
--   * a due-posts claim (FOR UPDATE SKIP LOCKED + lease) for the cron-triggered Publish Due;
--   * the platform's processing state (TikTok, Instagram) and its polling;
--   * engagement metrics: snapshots, the post's latest numbers and the variant's
--     performance_metrics (engagement_rate, which hook scoring reads) in one call.
--
-- A post held for a person sits in 'scheduled' with requires_approval: bi_create_approval accepts
-- exactly that status for entity platform_post, and an approval leaves it 'scheduled' (a rejection
-- cancels it). The latest approval of the post being 'approved' is what releases it.

alter table public.platform_posts add column if not exists title text;
alter table public.platform_posts add column if not exists video_id uuid references public.videos(video_id);
alter table public.platform_posts add column if not exists requires_approval boolean not null default false;
-- What status() takes (TikTok publish_id, Instagram media id…) and the platform's own state.
alter table public.platform_posts add column if not exists publish_ref text;
alter table public.platform_posts add column if not exists platform_state text
  check (platform_state is null or platform_state in ('processing', 'published', 'failed'));
-- How the post was made: the publisher options (outbox emulation, YouTube surface), the format
-- decision and the caption's provider. Read back when a stored post is published later.
alter table public.platform_posts add column if not exists publish_options jsonb;
alter table public.platform_posts add column if not exists metrics_fetched_at timestamptz;
create index if not exists platform_posts_processing_idx on public.platform_posts (platform) where platform_state = 'processing';

alter table public.scheduled_posts add column if not exists lease_owner text;
alter table public.scheduled_posts add column if not exists lease_expires_at timestamptz;
alter table public.scheduled_posts add column if not exists attempts integer not null default 0;
alter table public.scheduled_posts add column if not exists last_error text;
create index if not exists scheduled_posts_post_idx on public.scheduled_posts (platform_post_id);

-- A platform may fail a post after accepting it (TikTok or Instagram processing): the post is
-- then failed and may be published again.
insert into public.bi_status_graph values ('platform_post', 'published', 'failed') on conflict do nothing;

-- ---------------------------------------------------------------- helpers
-- Whether a person's approval releases the post: the latest approval of it says approved.
create or replace function public.bi_post_approved(p_post_id uuid) returns boolean
language sql stable set search_path = public, extensions as $$
  select coalesce((select a.status = 'approved' from approvals a
                    where a.entity = 'platform_post' and a.entity_id = p_post_id
                    order by a.created_at desc, a.approval_id desc limit 1), false)
$$;

-- The post as callers see it: the row plus its pending schedule and approval state.
create or replace function public.bi_post_json(p_post_id uuid) returns jsonb
language sql stable set search_path = public, extensions as $$
  select to_jsonb(p) || jsonb_build_object(
           'approved', bi_post_approved(p.post_id),
           'schedule', (select to_jsonb(s) from scheduled_posts s where s.platform_post_id = p.post_id
                         order by s.created_at desc limit 1))
    from platform_posts p where p.post_id = p_post_id
$$;

-- Finds the post of an idempotency key (locked) or inserts it in 'scheduled'.
create or replace function public.bi_upsert_post(p_post jsonb) returns platform_posts
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype;
  v_key text := bi_arg_text(p_post, 'idempotency_key', true, 300);
  v_pub uuid;
begin
  if p_post ? 'publish_options' and jsonb_typeof(p_post -> 'publish_options') not in ('object', 'null') then
    perform bi_raise('BI400', 'publish_options must be an object', jsonb_build_object('field', 'publish_options'));
  end if;
  -- Two callers with a new key at once (duplicate webhooks on two workers) would both find no row
  -- and both insert; the key's transaction lock makes the second wait and then find the first's.
  perform pg_advisory_xact_lock(hashtextextended('bi_platform_post:' || v_key, 0));
  select * into p from platform_posts where idempotency_key = v_key for update;
  if found then
    return p;
  end if;
  p.campaign_id := bi_arg_uuid(p_post, 'campaign_id', true);
  p.variant_id := bi_arg_uuid(p_post, 'variant_id');
  -- One publication per campaign x variant, also when two platforms' posts are created at once.
  perform pg_advisory_xact_lock(hashtextextended('bi_publication:' || p.campaign_id::text || ':' || coalesce(p.variant_id::text, ''), 0));
  select publication_id into v_pub from publications
   where campaign_id = p.campaign_id and variant_id is not distinct from p.variant_id order by created_at limit 1;
  if v_pub is null then
    insert into publications (campaign_id, variant_id) values (p.campaign_id, p.variant_id) returning publication_id into v_pub;
  end if;
  insert into platform_posts (publication_id, campaign_id, variant_id, platform, account_id, idempotency_key,
                              formatted_video_url, caption, hashtags, aspect_ratio, duration_seconds, thumbnail_url,
                              publication_status, title, video_id, requires_approval, publish_options)
  values (v_pub, p.campaign_id, p.variant_id,
          bi_arg_enum(p_post, 'platform', array['instagram', 'tiktok', 'youtube', 'linkedin', 'blotato', 'outbox'], true),
          bi_arg_text(p_post, 'account_id', false, 300), v_key, bi_arg_text(p_post, 'formatted_video_url', true, 4000),
          bi_arg_text(p_post, 'caption', false, 10000),
          array(select jsonb_array_elements_text(coalesce(p_post -> 'hashtags', '[]'::jsonb))),
          bi_arg_enum(p_post, 'aspect_ratio', array['9:16', '16:9', '1:1']),
          round((p_post ->> 'duration_seconds')::numeric)::int, bi_arg_text(p_post, 'thumbnail_url', false, 4000), 'scheduled',
          bi_arg_text(p_post, 'title', false, 500), bi_arg_uuid(p_post, 'video_id'),
          coalesce((p_post ->> 'requires_approval')::boolean, false), nullif(p_post -> 'publish_options', 'null'::jsonb))
  returning * into p;
  perform bi_audit(p.campaign_id, 'create', 'platform_post', p.post_id, bi_arg_text(p_post, 'actor'), null,
                   jsonb_build_object('status', 'scheduled', 'platform', p.platform, 'requires_approval', p.requires_approval));
  return p;
exception
  when foreign_key_violation then
    perform bi_raise('BI404', 'the campaign, variant or video of the post does not exist',
                     jsonb_build_object('field', 'campaign_id'));
end
$$;

-- ---------------------------------------------------------------- prepare (hold or schedule)
-- p_post: the bi_begin_publish fields plus title, video_id, publish_options, requires_approval and
-- scheduled_time (ISO, optional). Idempotent by idempotency_key: a second call returns the post as
-- it is (created: false) and adds a schedule only when the post has no pending one.
create or replace function public.bi_prepare_post(p_post jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype;
  v_existed boolean;
  v_time_text text := bi_arg_text(p_post, 'scheduled_time', false, 64);
  v_time timestamptz;
begin
  if p_post is null or jsonb_typeof(p_post) <> 'object' then
    perform bi_raise('BI400', 'post must be an object', jsonb_build_object('field', 'post'));
  end if;
  if v_time_text is not null then
    begin
      v_time := v_time_text::timestamptz;
    exception when others then
      perform bi_raise('BI400', format('scheduled_time must be a timestamp, got "%s"', left(v_time_text, 40)),
                       jsonb_build_object('field', 'scheduled_time'));
    end;
    if v_time > now() + interval '400 days' then
      perform bi_raise('BI400', 'scheduled_time is more than 400 days ahead', jsonb_build_object('field', 'scheduled_time'));
    end if;
  end if;
  v_existed := exists (select 1 from platform_posts where idempotency_key = p_post ->> 'idempotency_key');
  p := bi_upsert_post(p_post);
  if v_time is not null and p.publication_status in ('scheduled', 'failed')
     and not exists (select 1 from scheduled_posts where platform_post_id = p.post_id and status = 'pending') then
    insert into scheduled_posts (platform_post_id, scheduled_time) values (p.post_id, v_time);
    perform bi_audit(p.campaign_id, 'schedule', 'platform_post', p.post_id, bi_arg_text(p_post, 'actor'), null,
                     jsonb_build_object('scheduled_time', v_time));
  end if;
  return bi_post_json(p.post_id) || jsonb_build_object('created', not v_existed);
end
$$;

create or replace function public.bi_get_post(p_post_id uuid default null, p_idempotency_key text default null) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v_id uuid := p_post_id;
begin
  if v_id is null and p_idempotency_key is not null then
    select post_id into v_id from platform_posts where idempotency_key = p_idempotency_key;
    return case when v_id is null then null else bi_post_json(v_id) end;
  end if;
  if v_id is null or not exists (select 1 from platform_posts where post_id = v_id) then
    perform bi_raise('BI404', format('platform_post %s not found', coalesce(v_id::text, p_idempotency_key)),
                     jsonb_build_object('entity', 'platform_post', 'id', v_id, 'field', 'platform_post_id'));
  end if;
  return bi_post_json(v_id);
end
$$;

-- ---------------------------------------------------------------- begin (0700, plus hold and wait)
--   publish  — this caller holds the lease: publish now;
--   done     — published or cancelled: post nothing;
--   resolve  — a previous attempt may have reached the platform: ask it first;
--   busy     — another attempt holds a live lease;
--   hold     — waiting for a person (requires_approval and no approval yet);
--   wait     — scheduled for a later time (the due claim publishes it).
create or replace function public.bi_begin_publish(p_post jsonb, p_owner text, p_lease_seconds int default 900) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype;
  v_action text;
begin
  if p_owner is null or length(p_owner) = 0 then
    perform bi_raise('BI400', 'owner is required', jsonb_build_object('field', 'owner'));
  end if;
  p := bi_upsert_post(p_post);

  v_action := case
    when p.publication_status in ('published', 'cancelled') then 'done'
    when p.publication_status in ('publishing') and p.attempt_expires_at > now() then 'busy'
    when p.publication_status in ('publishing', 'unknown') and p.publish_checkpoint is not null then 'resolve'
    when p.publication_status = 'unknown' then 'resolve'
    when p.requires_approval and not bi_post_approved(p.post_id) then 'hold'
    when exists (select 1 from scheduled_posts s where s.platform_post_id = p.post_id and s.status = 'pending'
                  and s.scheduled_time > now()) then 'wait'
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
  return jsonb_build_object('action', v_action, 'post', bi_post_json(p.post_id));
end
$$;

-- 0700's receipt, plus what status() takes and the platform's own state (processing or published).
drop function if exists public.bi_complete_publish(uuid, text, text, text, text);
create or replace function public.bi_complete_publish(p_post_id uuid, p_owner text, p_platform_post_id text, p_url text,
                                                      p_via text default 'publish', p_ref text default null,
                                                      p_platform_state text default null) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype := bi_lock_publish_attempt(p_post_id, p_owner);
begin
  if p_platform_state is not null and p_platform_state not in ('processing', 'published') then
    perform bi_raise('BI400', 'platform_state must be processing or published', jsonb_build_object('field', 'platform_state'));
  end if;
  update platform_posts set platform_post_id = p_platform_post_id, post_url = p_url, attempt_owner = null,
         attempt_expires_at = null, last_error = null, publish_ref = coalesce(p_ref, p_platform_post_id),
         platform_state = coalesce(p_platform_state, 'published') where post_id = p.post_id;
  perform bi_transition('platform_post', p.post_id, p.state_version, 'published', p_owner, p_via);
  update scheduled_posts set status = 'published', state_version = state_version + 1, lease_owner = null, lease_expires_at = null
   where platform_post_id = p.post_id and status = 'pending';
  return to_jsonb((select x from platform_posts x where x.post_id = p_post_id));
end
$$;

-- ---------------------------------------------------------------- due posts
-- Hands out due scheduled posts: pending, time reached, no live lease, the post still to publish
-- and not waiting for a person. Two claimers never get the same row while its lease lives.
create or replace function public.bi_claim_due_posts(p_worker text, p_max_posts int, p_lease_seconds int) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v jsonb;
begin
  if p_worker is null or length(btrim(p_worker)) = 0 then
    perform bi_raise('BI400', 'worker is required', jsonb_build_object('field', 'worker'));
  end if;
  if p_max_posts is null or p_max_posts < 1 or p_max_posts > 1000 then
    perform bi_raise('BI400', 'max_posts must be between 1 and 1000', jsonb_build_object('field', 'max_posts'));
  end if;
  if p_lease_seconds is null or p_lease_seconds < 30 or p_lease_seconds > 86400 then
    perform bi_raise('BI400', 'lease_seconds must be between 30 and 86400', jsonb_build_object('field', 'lease_seconds'));
  end if;
  with claimed as (
    update scheduled_posts s
       set lease_owner = p_worker, lease_expires_at = now() + make_interval(secs => p_lease_seconds),
           attempts = s.attempts + 1
     where s.schedule_id in (
       select s2.schedule_id from scheduled_posts s2
         join platform_posts p on p.post_id = s2.platform_post_id
        where s2.status = 'pending' and s2.scheduled_time <= now()
          and (s2.lease_expires_at is null or s2.lease_expires_at <= now())
          and p.publication_status in ('scheduled', 'failed', 'unknown', 'publishing')
          and (not p.requires_approval or bi_post_approved(p.post_id))
        order by s2.scheduled_time, s2.created_at
        limit p_max_posts
        for update of s2 skip locked)
    returning s.*)
  select coalesce(jsonb_agg(jsonb_build_object('schedule', to_jsonb(c), 'post', bi_post_json(c.platform_post_id))
                            order by c.scheduled_time, c.created_at), '[]'::jsonb)
    into v from claimed c;
  return v;
end
$$;

-- After the claimer's attempt: published (bi_complete_publish already closed the schedule);
-- failed → retried after 2, 4… minutes, failed for good after p_max_attempts; anything else
-- (unknown, busy, held) → the lease is dropped and the next claim asks again.
create or replace function public.bi_release_due_post(p_schedule_id uuid, p_worker text, p_outcome text, p_error text default null,
                                                      p_max_attempts int default 3) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  s scheduled_posts%rowtype;
begin
  select * into s from scheduled_posts where schedule_id = p_schedule_id for update;
  if not found then
    perform bi_raise('BI404', format('scheduled_post %s not found', p_schedule_id),
                     jsonb_build_object('entity', 'scheduled_post', 'id', p_schedule_id, 'field', 'schedule_id'));
  end if;
  if s.lease_owner is distinct from p_worker then
    return to_jsonb(s) || jsonb_build_object('released', false);
  end if;
  if s.status = 'pending' and p_outcome = 'failed' and s.attempts >= greatest(1, p_max_attempts) then
    update scheduled_posts set lease_owner = null, lease_expires_at = null, last_error = left(p_error, 2000)
     where schedule_id = s.schedule_id;
    perform bi_transition('scheduled_post', s.schedule_id, s.state_version, 'failed', p_worker,
                          format('gave up after %s attempts: %s', s.attempts, left(coalesce(p_error, ''), 500)));
  elsif s.status = 'pending' and p_outcome = 'failed' then
    update scheduled_posts set lease_owner = null, lease_expires_at = null, last_error = left(p_error, 2000),
           scheduled_time = now() + make_interval(secs => 60 * power(2, s.attempts)::int)
     where schedule_id = s.schedule_id;
  else
    update scheduled_posts set lease_owner = null, lease_expires_at = null,
           last_error = coalesce(left(p_error, 2000), last_error)
     where schedule_id = s.schedule_id;
  end if;
  return to_jsonb((select x from scheduled_posts x where x.schedule_id = p_schedule_id)) || jsonb_build_object('released', true);
end
$$;

-- ---------------------------------------------------------------- status and metrics
-- Posts the platform is still processing (oldest first), or published posts due for metrics.
create or replace function public.bi_list_posts(p_filter jsonb) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v_kind text := bi_arg_enum(p_filter, 'kind', array['processing', 'metrics'], true);
  v_platforms text[] := case when jsonb_typeof(p_filter -> 'platforms') = 'array'
                             then array(select jsonb_array_elements_text(p_filter -> 'platforms')) end;
  v_campaign uuid := bi_arg_uuid(p_filter, 'campaign_id');
  v_limit int := least(greatest(coalesce((p_filter ->> 'limit')::int, 50), 1), 1000);
  v_age int := greatest(coalesce((p_filter ->> 'min_age_seconds')::int, 0), 0);
begin
  return coalesce((
    select jsonb_agg(to_jsonb(p) order by coalesce(p.metrics_fetched_at, p.published_at, p.created_at), p.post_id)
      from (select * from platform_posts x
             where (v_platforms is null or x.platform = any (v_platforms))
               and (v_campaign is null or x.campaign_id = v_campaign)
               and case v_kind
                     when 'processing' then x.platform_state = 'processing' and x.publication_status = 'published'
                     else x.publication_status = 'published' and coalesce(x.platform_state, 'published') = 'published'
                          and x.platform_post_id is not null
                          and (x.metrics_fetched_at is null or x.metrics_fetched_at <= now() - make_interval(secs => v_age))
                   end
             order by coalesce(x.metrics_fetched_at, x.published_at, x.created_at), x.post_id
             limit v_limit) p), '[]'::jsonb);
end
$$;

-- What the platform says about a post it was processing.
create or replace function public.bi_record_post_status(p_post_id uuid, p_state text, p_platform_post_id text default null,
                                                        p_url text default null, p_error text default null,
                                                        p_actor text default null) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype;
begin
  if p_state is null or p_state not in ('processing', 'published', 'failed') then
    perform bi_raise('BI400', 'state must be processing, published or failed', jsonb_build_object('field', 'state'));
  end if;
  select * into p from platform_posts where post_id = p_post_id for update;
  if not found then
    perform bi_raise('BI404', format('platform_post %s not found', p_post_id),
                     jsonb_build_object('entity', 'platform_post', 'id', p_post_id, 'field', 'platform_post_id'));
  end if;
  if p.publication_status <> 'published' or p.platform_state is distinct from 'processing' then
    return to_jsonb(p) || jsonb_build_object('changed', false);
  end if;
  update platform_posts set platform_state = p_state,
         platform_post_id = coalesce(p_platform_post_id, platform_post_id),
         post_url = coalesce(p_url, post_url),
         last_error = case when p_state = 'failed' then left(coalesce(p_error, 'the platform failed the post'), 2000) else last_error end,
         updated_at = now()
   where post_id = p.post_id;
  if p_state = 'failed' then
    perform bi_transition('platform_post', p.post_id, p.state_version, 'failed', p_actor,
                          left(coalesce(p_error, 'the platform failed the post while processing it'), 500));
  end if;
  return to_jsonb((select x from platform_posts x where x.post_id = p_post_id)) || jsonb_build_object('changed', p_state <> 'processing');
end
$$;

-- One snapshot of a post's counters (null = not reported): engagement_metrics rows, the post's
-- engagement_metrics, and its variant's performance_metrics recomputed from the latest snapshot of
-- each of the variant's posts (engagements = likes + shares + comments; engagement_rate =
-- engagements / views, as bi_variant_engagement computes it).
create or replace function public.bi_ingest_post_metrics(p_post_id uuid, p_metrics jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  p platform_posts%rowtype;
  v_variant uuid;
  v_key text;
  v_value numeric;
  v_now timestamptz := now();
  v_snapshot jsonb := '{}'::jsonb;
  v_perf jsonb;
begin
  if p_metrics is null or jsonb_typeof(p_metrics) <> 'object' then
    perform bi_raise('BI400', 'metrics must be an object', jsonb_build_object('field', 'metrics'));
  end if;
  select * into p from platform_posts where post_id = p_post_id for update;
  if not found then
    perform bi_raise('BI404', format('platform_post %s not found', p_post_id),
                     jsonb_build_object('entity', 'platform_post', 'id', p_post_id, 'field', 'platform_post_id'));
  end if;
  if p.publication_status <> 'published' then
    perform bi_raise('BI422', format('platform_post %s is "%s": only a published post has metrics', p_post_id, p.publication_status),
                     jsonb_build_object('reason', 'entity_state', 'status', p.publication_status));
  end if;
  foreach v_key in array array['views', 'likes', 'shares', 'comments', 'conversions', 'clicks', 'watch_time_seconds'] loop
    continue when not (p_metrics ? v_key) or jsonb_typeof(p_metrics -> v_key) = 'null';
    if jsonb_typeof(p_metrics -> v_key) <> 'number' or (p_metrics ->> v_key)::numeric < 0
       or (p_metrics ->> v_key)::numeric > 2147483647 then
      perform bi_raise('BI400', format('metrics.%s must be a count from 0 to 2147483647', v_key),
                       jsonb_build_object('field', 'metrics.' || v_key));
    end if;
    v_value := round((p_metrics ->> v_key)::numeric);
    insert into engagement_metrics (platform_post_id, metric_type, value, recorded_at) values (p.post_id, v_key, v_value, v_now);
    v_snapshot := v_snapshot || jsonb_build_object(v_key, v_value);
  end loop;
  update platform_posts set engagement_metrics = coalesce(engagement_metrics, '{}'::jsonb) || v_snapshot
                                                 || jsonb_build_object('fetched_at', v_now),
         metrics_fetched_at = v_now, updated_at = v_now
   where post_id = p.post_id;

  v_variant := coalesce(p.variant_id, (select variant_id from publications where publication_id = p.publication_id));
  if v_variant is not null then
    with posts as (
      select x.post_id, x.platform from platform_posts x
        left join publications pub on pub.publication_id = x.publication_id
       where coalesce(x.variant_id, pub.variant_id) = v_variant and x.publication_status = 'published'
    ), latest as (
      select distinct on (m.platform_post_id, m.metric_type) m.platform_post_id, m.metric_type, coalesce(m.value, 0) as value
        from engagement_metrics m join posts on posts.post_id = m.platform_post_id
       order by m.platform_post_id, m.metric_type, m.recorded_at desc nulls last, m.metric_id
    ), sums as (
      select coalesce(sum(value) filter (where metric_type = 'views'), 0) as views,
             coalesce(sum(value) filter (where metric_type = 'likes'), 0) as likes,
             coalesce(sum(value) filter (where metric_type = 'shares'), 0) as shares,
             coalesce(sum(value) filter (where metric_type = 'comments'), 0) as comments,
             count(distinct platform_post_id) as measured_posts
        from latest
    )
    select jsonb_build_object('views', views, 'likes', likes, 'shares', shares, 'comments', comments,
                              'engagements', likes + shares + comments, 'measured_posts', measured_posts,
                              'platforms', (select coalesce(jsonb_agg(distinct platform), '[]'::jsonb) from posts),
                              'metrics_updated_at', v_now)
           || case when views > 0 then jsonb_build_object('engagement_rate', round((likes + shares + comments)::numeric / views, 6))
                   else '{}'::jsonb end
      into v_perf from sums;
    update variants set performance_metrics = (coalesce(performance_metrics, '{}'::jsonb) - 'engagement_rate') || v_perf,
           updated_at = v_now
     where variant_id = v_variant;
  end if;
  return jsonb_build_object('post', to_jsonb((select x from platform_posts x where x.post_id = p_post_id)),
                            'snapshot', v_snapshot, 'variant_id', v_variant, 'performance_metrics', v_perf);
end
$$;

-- ---------------------------------------------------------------- the video to broadcast
-- The video with its campaign, variant, script, brief and the assets the assembler registered
-- (asset_metadata.video_id), for formatting and captions.
create or replace function public.bi_broadcast_source(p_video_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v videos%rowtype;
begin
  select * into v from videos where video_id = p_video_id;
  if not found then
    perform bi_raise('BI404', format('video %s not found', p_video_id),
                     jsonb_build_object('entity', 'video', 'id', p_video_id, 'field', 'video_id'));
  end if;
  return jsonb_build_object(
    'video', to_jsonb(v),
    'campaign_id', v.campaign_id,
    'variant_id', coalesce(v.variant_id, (select case when count(*) = 1 then min(variant_id::text)::uuid end
                                            from variants where video_id = v.video_id)),
    'script', (select to_jsonb(s) from scripts s where s.script_id = v.script_id),
    'brief', (select b.creative_brief from scripts s join creative_briefs b on b.brief_id = s.brief_id where s.script_id = v.script_id),
    'campaign_request', (select b.campaign_request from scripts s join creative_briefs b on b.brief_id = s.brief_id
                          where s.script_id = v.script_id),
    'brand_id', (select c.brand_id from campaigns c where c.campaign_id = v.campaign_id),
    'assets', coalesce((select jsonb_agg(to_jsonb(a) order by a.created_at, a.asset_id) from assets a
                         where a.asset_metadata ->> 'video_id' = v.video_id::text
                           and a.asset_type in ('video', 'thumbnail')), '[]'::jsonb));
end
$$;

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261122000800', 'broadcast')
  on conflict (version) do nothing;
