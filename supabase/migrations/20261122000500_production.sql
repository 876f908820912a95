-- Pillar 3 (Production House): videos and their scenes, generation jobs submitted and polled
-- across restarts, the clip cache, voiceover and music assets.
-- A job's life: queued → submitting (provider call under way; the provider's job id is stored the
-- moment it is known) → processing → completed; a provider-confirmed failure goes back to queued
-- with backoff until max_attempts, then dead_letter. An unknown submission outcome is never
-- resubmitted: without a provider job id to ask about, the job is dead-lettered for a person.

alter table public.generation_jobs add column if not exists reservation_id uuid references public.budget_reservations(reservation_id);
alter table public.generation_jobs add column if not exists video_id uuid references public.videos(video_id);
alter table public.generation_jobs add column if not exists duration_seconds numeric(6,2);
alter table public.generation_jobs add column if not exists last_polled_at timestamptz;
alter table public.generation_jobs add column if not exists poll_count integer not null default 0;
alter table public.scenes add column if not exists status text not null default 'pending'
  check (status in ('pending', 'generating', 'ready', 'failed'));
alter table public.scenes add column if not exists duration_target numeric(6,2);
alter table public.scenes alter column duration_seconds type numeric(6,2);
alter table public.videos add column if not exists outputs jsonb;
alter table public.videos alter column master_duration_seconds type numeric(6,2);
create unique index if not exists generation_jobs_api_unique on public.generation_jobs (provider, job_api_id) where job_api_id is not null;

-- ---------------------------------------------------------------- videos and scenes
create or replace function public.bi_create_video(p_video jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v videos%rowtype;
  s scripts%rowtype;
  sc jsonb;
  v_scenes jsonb := '[]'::jsonb;
  v_scene_id uuid;
begin
  select * into s from scripts where script_id = bi_arg_uuid(p_video, 'script_id', true);
  if not found then
    perform bi_raise('BI404', 'script not found', jsonb_build_object('entity', 'script', 'field', 'script_id'));
  end if;
  if s.approval_status not in ('approved', 'in_production') then
    perform bi_raise('BI422', format('script %s is "%s": production needs an approved script', s.script_id, s.approval_status),
                     jsonb_build_object('field', 'script_id', 'status', s.approval_status));
  end if;
  v.variant_id := bi_arg_uuid(p_video, 'variant_id');
  insert into videos (script_id, campaign_id, variant_id, approval_status)
  values (s.script_id, s.campaign_id, v.variant_id, 'draft') returning * into v;
  for sc in select * from jsonb_array_elements(coalesce(p_video -> 'scenes', s.scenes)) loop
    insert into scenes (video_id, script_scene_id, sequence, duration_target, model_used, status)
    values (v.video_id, nullif(sc ->> 'scene_id', '')::uuid, (sc ->> 'sequence')::int,
            (sc ->> 'duration_seconds')::numeric, coalesce(sc ->> 'model_used', 'unrouted'), 'pending')
    returning scene_id into v_scene_id;
    v_scenes := v_scenes || jsonb_build_object('scene_id', v_scene_id, 'sequence', (sc ->> 'sequence')::int);
  end loop;
  perform bi_audit(v.campaign_id, 'create', 'video', v.video_id, bi_arg_text(p_video, 'actor'), null,
                   jsonb_build_object('script_id', s.script_id, 'scenes', jsonb_array_length(v_scenes)));
  return to_jsonb(v) || jsonb_build_object('scenes', v_scenes);
end
$$;

create or replace function public.bi_get_video(p_video_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v jsonb;
begin
  select to_jsonb(x) || jsonb_build_object(
           'scenes', (select coalesce(jsonb_agg(to_jsonb(sc) || jsonb_build_object(
                        'job', (select to_jsonb(j) from generation_jobs j where j.scene_id = sc.scene_id
                                order by j.created_at desc limit 1)) order by sc.sequence), '[]'::jsonb)
                      from scenes sc where sc.video_id = x.video_id),
           'audio', (select to_jsonb(a) from audio_assets a where a.video_id = x.video_id order by a.created_at desc limit 1))
    into v from videos x where video_id = p_video_id;
  if v is null then
    perform bi_raise('BI404', format('video %s not found', p_video_id), jsonb_build_object('entity', 'video', 'id', p_video_id, 'field', 'video_id'));
  end if;
  return v;
end
$$;

-- ---------------------------------------------------------------- jobs
-- Enqueues one scene's generation. An identical request (same hash) already generated reuses the
-- cached clip and creates a completed job at no cost.
create or replace function public.bi_enqueue_generation_job(p_job jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  j generation_jobs%rowtype;
  v_scene scenes%rowtype;
  v_cached generation_cache%rowtype;
begin
  select * into v_scene from scenes where scene_id = bi_arg_uuid(p_job, 'scene_id', true) for update;
  if not found then
    perform bi_raise('BI404', 'scene not found', jsonb_build_object('entity', 'scene', 'field', 'scene_id'));
  end if;
  if exists (select 1 from generation_jobs where scene_id = v_scene.scene_id and status not in ('failed', 'dead_letter', 'cancelled')) then
    select * into j from generation_jobs where scene_id = v_scene.scene_id and status not in ('failed', 'dead_letter', 'cancelled')
      order by created_at desc limit 1;
    return to_jsonb(j) || jsonb_build_object('replayed', true);
  end if;
  j.request_hash := bi_arg_text(p_job, 'request_hash', true, 200);
  select * into v_cached from generation_cache where cache_key = j.request_hash;
  insert into generation_jobs (scene_id, video_id, campaign_id, provider, model_name, prompt, parameters, priority,
                               max_attempts, request_hash, reservation_id, duration_seconds, status, result_url, cost_usd,
                               completed_at)
  values (v_scene.scene_id, v_scene.video_id, (select campaign_id from videos where video_id = v_scene.video_id),
          bi_arg_text(p_job, 'provider', true, 50), bi_arg_text(p_job, 'model_name', true, 200),
          bi_arg_text(p_job, 'prompt', true, 8000), p_job -> 'parameters', coalesce((p_job ->> 'priority')::int, 0),
          coalesce((p_job ->> 'max_attempts')::int, 3), j.request_hash, bi_arg_uuid(p_job, 'reservation_id'),
          (p_job ->> 'duration_seconds')::numeric,
          case when v_cached.cache_key is not null then 'completed' else 'queued' end,
          v_cached.clip_url, case when v_cached.cache_key is not null then 0 end,
          case when v_cached.cache_key is not null then now() end)
  returning * into j;
  update scenes set model_used = j.model_name,
         status = case when v_cached.cache_key is not null then 'ready' else 'generating' end,
         clip_url = coalesce(v_cached.clip_url, clip_url),
         generation_job_id = j.job_id::text, cost_usd = case when v_cached.cache_key is not null then 0 else cost_usd end
   where scene_id = v_scene.scene_id;
  return to_jsonb(j) || jsonb_build_object('replayed', false, 'cached', v_cached.cache_key is not null);
end
$$;

create or replace function public.bi_lock_leased_job(p_job_id uuid, p_worker text) returns generation_jobs
language plpgsql set search_path = public, extensions as $$
declare
  j generation_jobs%rowtype;
begin
  select * into j from generation_jobs where job_id = p_job_id for update;
  if not found then
    perform bi_raise('BI404', format('generation_job %s not found', p_job_id), jsonb_build_object('entity', 'generation_job', 'id', p_job_id));
  end if;
  if j.lease_owner is distinct from p_worker or j.lease_expires_at < now() then
    perform bi_raise('BI409', format('generation_job %s is not leased to %s', p_job_id, p_worker),
                     jsonb_build_object('lease_owner', j.lease_owner, 'lease_expires_at', j.lease_expires_at));
  end if;
  return j;
end
$$;

-- Before calling the provider: queued → submitting, one more attempt. Recorded first, so a crash
-- during the call leaves a job that is known to be "maybe submitted".
create or replace function public.bi_begin_job_submission(p_job_id uuid, p_worker text) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  j generation_jobs%rowtype := bi_lock_leased_job(p_job_id, p_worker);
begin
  perform bi_transition('generation_job', p_job_id, j.state_version, 'submitting', p_worker, format('attempt %s', j.attempts + 1));
  update generation_jobs set attempts = attempts + 1 where job_id = p_job_id returning * into j;
  return to_jsonb(j);
end
$$;

-- The provider accepted the job: its id is stored before anything else happens.
create or replace function public.bi_record_job_submission(p_job_id uuid, p_worker text, p_job_api_id text,
                                                           p_next_poll_seconds int) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  j generation_jobs%rowtype := bi_lock_leased_job(p_job_id, p_worker);
begin
  if p_job_api_id is null or length(p_job_api_id) = 0 then
    perform bi_raise('BI400', 'job_api_id is required', jsonb_build_object('field', 'job_api_id'));
  end if;
  update generation_jobs set job_api_id = p_job_api_id where job_id = p_job_id;
  perform bi_transition('generation_job', p_job_id, j.state_version, 'processing', p_worker, 'accepted by ' || j.provider);
  update generation_jobs set next_poll_at = now() + make_interval(secs => greatest(0, p_next_poll_seconds)),
         lease_owner = null, lease_expires_at = null
   where job_id = p_job_id returning * into j;
  return to_jsonb(j);
end
$$;

-- Still running at the provider: poll again later (the caller computes the backoff).
create or replace function public.bi_record_job_poll(p_job_id uuid, p_worker text, p_next_poll_seconds int,
                                                     p_note text default null) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  j generation_jobs%rowtype := bi_lock_leased_job(p_job_id, p_worker);
begin
  update generation_jobs set next_poll_at = now() + make_interval(secs => greatest(0, p_next_poll_seconds)),
         last_polled_at = now(), poll_count = poll_count + 1, lease_owner = null, lease_expires_at = null,
         error_message = coalesce(p_note, error_message), updated_at = now()
   where job_id = p_job_id returning * into j;
  return to_jsonb(j);
end
$$;

-- A provider callback: the job is due now (the poller asks the provider; a callback is never trusted alone).
create or replace function public.bi_job_callback(p_provider text, p_job_api_id text) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  j generation_jobs%rowtype;
begin
  update generation_jobs set next_poll_at = now(), updated_at = now()
   where provider = p_provider and job_api_id = p_job_api_id and status in ('submitting', 'processing')
  returning * into j;
  if not found then
    perform bi_raise('BI404', format('no open %s job %s', p_provider, p_job_api_id), jsonb_build_object('field', 'job_api_id'));
  end if;
  return to_jsonb(j);
end
$$;

-- The clip is downloaded and checked: job completed, scene ready, clip cached for identical requests.
create or replace function public.bi_complete_job(p_job_id uuid, p_worker text, p_clip_url text,
                                                  p_duration_seconds numeric, p_cost_usd numeric) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  j generation_jobs%rowtype := bi_lock_leased_job(p_job_id, p_worker);
  v_pending int;
begin
  update generation_jobs set result_url = p_clip_url, cost_usd = p_cost_usd, duration_seconds = p_duration_seconds
   where job_id = p_job_id;
  perform bi_transition('generation_job', p_job_id, j.state_version, 'completed', p_worker, null);
  update scenes set clip_url = p_clip_url, duration_seconds = p_duration_seconds, cost_usd = p_cost_usd, status = 'ready'
   where scene_id = j.scene_id;
  insert into generation_cache (cache_key, model_name, clip_url, job_id)
  values (j.request_hash, j.model_name, p_clip_url, p_job_id)
  on conflict (cache_key) do nothing;
  select count(*) into v_pending from scenes where video_id = j.video_id and status <> 'ready';
  select * into j from generation_jobs where job_id = p_job_id;
  return to_jsonb(j) || jsonb_build_object('video_ready', v_pending = 0, 'scenes_pending', v_pending);
end
$$;

-- A failure. Confirmed by the provider: back to the queue with backoff until max_attempts, then
-- dead letter. Unknown (no provider job id to ask about): dead letter at once, never resubmitted.
create or replace function public.bi_fail_job(p_job_id uuid, p_worker text, p_reason text, p_confirmed boolean,
                                              p_retry_after_seconds int default 60) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  j generation_jobs%rowtype := bi_lock_leased_job(p_job_id, p_worker);
  v_retry boolean := p_confirmed and j.attempts < j.max_attempts;
begin
  if j.status = 'queued' then
    -- Refused before any call (e.g. the budget): the job was never submitted.
    perform bi_transition('generation_job', p_job_id, j.state_version, 'submitting', p_worker, 'refused before submission');
    select * into j from generation_jobs where job_id = p_job_id;
  end if;
  perform bi_transition('generation_job', p_job_id, j.state_version, 'failed', p_worker, p_reason);
  select * into j from generation_jobs where job_id = p_job_id;
  if v_retry then
    perform bi_transition('generation_job', p_job_id, j.state_version, 'queued', p_worker, 'retry after a confirmed failure');
    update generation_jobs set job_api_id = null, next_poll_at = now() + make_interval(secs => greatest(0, p_retry_after_seconds)),
           lease_owner = null, lease_expires_at = null
     where job_id = p_job_id;
  else
    perform bi_transition('generation_job', p_job_id, j.state_version, 'dead_letter', p_worker,
                          case when p_confirmed then format('gave up after %s attempts: %s', j.attempts, p_reason)
                               else 'outcome unknown, not resubmitted: ' || p_reason end);
    update scenes set status = 'failed' where scene_id = j.scene_id;
  end if;
  select * into j from generation_jobs where job_id = p_job_id;
  return to_jsonb(j) || jsonb_build_object('will_retry', v_retry);
end
$$;

create or replace function public.bi_set_video_outputs(p_video_id uuid, p_master_url text, p_duration numeric,
                                                       p_outputs jsonb, p_audio jsonb default null) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v videos%rowtype;
begin
  update videos set master_mp4_url = p_master_url, master_duration_seconds = p_duration, outputs = p_outputs,
         total_cost_usd = (select coalesce(sum(cost_usd), 0) from scenes where video_id = p_video_id), updated_at = now()
   where video_id = p_video_id returning * into v;
  if not found then
    perform bi_raise('BI404', format('video %s not found', p_video_id), jsonb_build_object('entity', 'video', 'field', 'video_id'));
  end if;
  if p_audio is not null then
    insert into audio_assets (video_id, voiceover_url, background_music_url, synced_audio_url)
    values (p_video_id, p_audio ->> 'voiceover_url', p_audio ->> 'background_music_url', p_audio ->> 'synced_audio_url');
  end if;
  perform bi_audit(v.campaign_id, 'assemble', 'video', p_video_id, null, null,
                   jsonb_build_object('master', p_master_url, 'duration', p_duration));
  return to_jsonb(v);
end
$$;

-- An unknown outcome may have been charged: the reservation's estimate stands as the cost.
create or replace function public.bi_settle_at_estimate(p_reservation_id uuid, p_description text) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v_amount numeric;
begin
  select amount_usd into v_amount from budget_reservations where reservation_id = p_reservation_id;
  if not found then
    perform bi_raise('BI404', format('reservation %s not found', p_reservation_id), jsonb_build_object('field', 'reservation_id'));
  end if;
  return bi_settle_reservation(p_reservation_id, v_amount, 'api_cost', p_description);
end
$$;

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261122000500', 'production')
  on conflict (version) do nothing;
