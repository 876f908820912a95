-- Durable human approvals (seed 003's approval diagram at every gate) and the Campaign Manager's
-- reports: engagement per variant for the A/B comparison, and the campaign report.
--
-- An approval is a row plus a signed link. The link's token is made and checked in TypeScript
-- (lib/approvals/links.ts: HMAC-SHA256, audience = the approval id, short TTL); this table keeps
-- only its SHA-256 (token_hash), so the link is single use and a stolen database holds no link.
-- No n8n execution waits for a person: the decision is one call (bi_decide_approval) that changes
-- the approval and the asset in one transaction and says which pillar to start next.
--
-- Errors (SQLSTATE, detail.reason), besides the state API's BI400/BI404:
--   bi_create_approval  BI409 approval_pending   a live approval of that asset exists (pass supersede)
--                       BI422 entity_state       the asset is not in a state that can be approved
--   bi_decide_approval  BI422 token_mismatch     the token is not the one issued for this approval
--                       BI409 already_decided    the link was used (single use)
--                       BI422 expired            past expires_at (nothing changes; see bi_expire_approvals)
--                       BI422 cancelled          a newer link replaced this one
--                       BI409 entity_changed     the asset changed since the link was sent (OCC)
--                       BI422 entity_state       the asset left the state the approval was about

-- A post names its variant directly (the publishing migration adds the same column; whichever runs
-- first creates it) or through its publication.
alter table public.platform_posts add column if not exists variant_id uuid references public.variants(variant_id);
alter table public.approvals add column if not exists entity_version integer;
alter table public.approvals add column if not exists requested_by text;
alter table public.approvals add column if not exists context jsonb;
-- Only a SHA-256 in hex fits here: a token (base64url with a dot) can never be stored by mistake.
alter table public.approvals add constraint approvals_token_hash_sha256
  check (token_hash is null or token_hash ~ '^[0-9a-f]{64}$');
create index if not exists approvals_campaign_idx on public.approvals (campaign_id, created_at);
create index if not exists approvals_due_idx on public.approvals (expires_at) where status = 'pending';

-- ---------------------------------------------------------------- helpers
-- An approval as callers see it: never the token hash; a pending approval past its expiry reads as expired.
create or replace function public.bi_approval_json(p_approval approvals) returns jsonb
language sql stable set search_path = public, extensions as $$
  select (to_jsonb(p_approval) - 'token_hash') || jsonb_build_object(
    'expired', p_approval.status = 'expired'
               or (p_approval.status = 'pending' and p_approval.expires_at is not null and p_approval.expires_at <= now()),
    'effective_status', case when p_approval.status = 'pending' and p_approval.expires_at is not null
                                  and p_approval.expires_at <= now() then 'expired' else p_approval.status end)
$$;

-- The row an approval is about, locked when asked (FOR UPDATE); null when it does not exist.
create or replace function public.bi_approval_target(p_entity text, p_entity_id uuid, p_lock boolean) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  r bi_entity_registry%rowtype;
  v jsonb;
begin
  if p_entity not in ('creative_brief', 'script', 'video', 'platform_post') then
    perform bi_raise('BI400', format('entity must be one of creative_brief, script, video, platform_post, got "%s"', p_entity),
                     jsonb_build_object('field', 'entity'));
  end if;
  select * into r from bi_entity_registry where entity = p_entity;
  execute format('select to_jsonb(t) from public.%I t where %I = $1%s', r.table_name, r.id_column,
                 case when p_lock then ' for update' else '' end)
    into v using p_entity_id;
  if v is null then
    return null;
  end if;
  -- A post names its campaign directly or through its publication.
  if p_entity = 'platform_post' and (v ->> 'campaign_id') is null then
    v := v || jsonb_build_object('campaign_id',
      (select pub.campaign_id from publications pub where pub.publication_id = (v ->> 'publication_id')::uuid));
  end if;
  return v || jsonb_build_object('__status', v ->> r.status_column);
end
$$;

-- The variant an asset belongs to, when there is exactly one.
create or replace function public.bi_approval_variant(p_entity text, p_entity_id uuid) returns uuid
language sql stable set search_path = public, extensions as $$
  select case p_entity
    when 'creative_brief' then (select case when count(*) = 1 then min(variant_id::text)::uuid end
                                from variants where brief_id = p_entity_id)
    when 'script' then (select case when count(*) = 1 then min(variant_id::text)::uuid end
                        from variants where script_id = p_entity_id)
    when 'video' then coalesce((select variant_id from videos where video_id = p_entity_id),
                               (select case when count(*) = 1 then min(variant_id::text)::uuid end
                                from variants where video_id = p_entity_id))
    when 'platform_post' then (select coalesce(p.variant_id, pub.variant_id) from platform_posts p
                               left join publications pub on pub.publication_id = p.publication_id
                               where p.post_id = p_entity_id)
  end
$$;

-- Which pillar a decision starts: the next one after an approval, the same one (regeneration with
-- the feedback) after a rejection.
create or replace function public.bi_approval_next_pillar(p_entity text, p_decision text) returns text
language sql immutable set search_path = public, extensions as $$
  select case when p_decision = 'approved' then
                case p_entity when 'creative_brief' then 'copywriter' when 'script' then 'production'
                              when 'video' then 'broadcaster' when 'platform_post' then 'broadcaster' end
              else
                case p_entity when 'creative_brief' then 'strategist' when 'script' then 'copywriter'
                              when 'video' then 'production' when 'platform_post' then 'broadcaster' end
         end
$$;

-- ---------------------------------------------------------------- request
-- p_approval: {entity, entity_id, token_hash (sha-256 hex of the signed token), expires_at,
--              approval_id? (the id the token's audience names), actor?, context? (object, handed
--              back with the decision), supersede? (cancel a live approval of the same asset)}.
-- The asset goes to 'pending' (from draft, or from rejected via draft when it was regenerated);
-- the approval records the asset's state_version, and the decision requires it unchanged.
-- A platform post must be 'scheduled' and keeps its status until the decision.
create or replace function public.bi_create_approval(p_approval jsonb) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  v_entity text;
  v_entity_id uuid;
  v_id uuid;
  v_hash text;
  v_expires_text text;
  v_expires timestamptz;
  v_actor text;
  v_supersede boolean := false;
  v_row jsonb;
  v_status text;
  v_version int;
  v_campaign uuid;
  v_old approvals%rowtype;
  a approvals%rowtype;
begin
  if p_approval is null or jsonb_typeof(p_approval) <> 'object' then
    perform bi_raise('BI400', 'approval must be an object', jsonb_build_object('field', 'approval'));
  end if;
  v_entity := bi_arg_enum(p_approval, 'entity', array['creative_brief', 'script', 'video', 'platform_post'], true);
  v_entity_id := bi_arg_uuid(p_approval, 'entity_id', true);
  v_id := coalesce(bi_arg_uuid(p_approval, 'approval_id'), gen_random_uuid());
  v_hash := bi_arg_text(p_approval, 'token_hash', true, 200);
  if v_hash !~ '^[0-9a-f]{64}$' then
    perform bi_raise('BI400', 'token_hash must be the SHA-256 of the token in lowercase hex (the token itself is never stored)',
                     jsonb_build_object('field', 'token_hash'));
  end if;
  v_expires_text := bi_arg_text(p_approval, 'expires_at', true, 64);
  begin
    v_expires := v_expires_text::timestamptz;
  exception when others then
    perform bi_raise('BI400', format('expires_at must be a timestamp, got "%s"', left(v_expires_text, 40)),
                     jsonb_build_object('field', 'expires_at'));
  end;
  if v_expires <= now() then
    perform bi_raise('BI400', 'expires_at must be in the future', jsonb_build_object('field', 'expires_at'));
  end if;
  if v_expires > now() + interval '30 days' then
    perform bi_raise('BI400', 'an approval link lives at most 30 days', jsonb_build_object('field', 'expires_at'));
  end if;
  v_actor := bi_arg_text(p_approval, 'actor', false, 200);
  if p_approval ? 'supersede' and jsonb_typeof(p_approval -> 'supersede') <> 'null' then
    if jsonb_typeof(p_approval -> 'supersede') <> 'boolean' then
      perform bi_raise('BI400', 'supersede must be true or false', jsonb_build_object('field', 'supersede'));
    end if;
    v_supersede := (p_approval ->> 'supersede')::boolean;
  end if;
  if p_approval ? 'context' and jsonb_typeof(p_approval -> 'context') not in ('object', 'null') then
    perform bi_raise('BI400', 'context must be an object', jsonb_build_object('field', 'context'));
  end if;

  -- The asset's row lock serialises concurrent requests for the same asset.
  v_row := bi_approval_target(v_entity, v_entity_id, true);
  if v_row is null then
    perform bi_raise('BI404', format('%s %s not found', v_entity, v_entity_id),
                     jsonb_build_object('entity', v_entity, 'id', v_entity_id, 'field', 'entity_id'));
  end if;
  v_status := v_row ->> '__status';
  v_version := (v_row ->> 'state_version')::int;
  v_campaign := (v_row ->> 'campaign_id')::uuid;

  -- At most one pending approval per asset: an overdue one is closed as expired; a live one is
  -- refused, or cancelled when the caller supersedes it (a new link replaces the old).
  for v_old in select * from approvals where entity = v_entity and entity_id = v_entity_id and status = 'pending' for update loop
    if v_old.expires_at is not null and v_old.expires_at <= now() then
      perform bi_transition('approval', v_old.approval_id, v_old.state_version, 'expired', v_actor, 'expired before a decision');
    elsif v_supersede then
      perform bi_transition('approval', v_old.approval_id, v_old.state_version, 'cancelled', v_actor, 'superseded by a new approval link');
    else
      perform bi_raise('BI409', format('an approval of %s %s is already pending (until %s); pass supersede to replace its link',
                                       v_entity, v_entity_id, v_old.expires_at),
                       jsonb_build_object('reason', 'approval_pending', 'approval_id', v_old.approval_id,
                                          'expires_at', v_old.expires_at));
    end if;
  end loop;

  if v_entity = 'platform_post' then
    if v_status <> 'scheduled' then
      perform bi_raise('BI422', format('platform_post %s is "%s": only a scheduled post goes through the publish gate', v_entity_id, v_status),
                       jsonb_build_object('reason', 'entity_state', 'status', v_status));
    end if;
  else
    if v_status = 'rejected' then
      -- Regenerated or revised after a rejection: back through draft to pending.
      perform bi_transition(v_entity, v_entity_id, v_version, 'draft', v_actor, 'resubmitted for approval');
      v_version := v_version + 1;
      v_status := 'draft';
    end if;
    if v_status = 'draft' then
      perform bi_transition(v_entity, v_entity_id, v_version, 'pending', v_actor, 'approval requested');
      v_version := v_version + 1;
      v_status := 'pending';
    elsif v_status <> 'pending' then
      perform bi_raise('BI422', format('%s %s is "%s": only a draft, pending or rejected one can be sent for approval',
                                       v_entity, v_entity_id, v_status),
                       jsonb_build_object('reason', 'entity_state', 'status', v_status));
    end if;
  end if;

  insert into approvals (approval_id, campaign_id, entity, entity_id, status, token_hash, expires_at,
                         entity_version, requested_by, context)
  values (v_id, v_campaign, v_entity, v_entity_id, 'pending', v_hash, v_expires, v_version, v_actor,
          nullif(p_approval -> 'context', 'null'::jsonb))
  returning * into a;
  perform bi_audit(v_campaign, 'request_approval', 'approval', a.approval_id, v_actor, null,
                   jsonb_build_object('status', 'pending', 'entity', v_entity, 'entity_id', v_entity_id,
                                      'entity_version', v_version, 'expires_at', v_expires));
  return bi_approval_json(a) || jsonb_build_object('entity_status', v_status, 'entity_state_version', v_version,
                                                    'variant_id', bi_approval_variant(v_entity, v_entity_id));
exception
  when unique_violation then
    perform bi_raise('BI409', 'that approval id is taken, or another approval of this asset was created at the same time',
                     jsonb_build_object('reason', 'approval_pending', 'field', 'approval_id'));
end
$$;

-- ---------------------------------------------------------------- decide
-- One transaction: checks the token's hash, that the approval is still pending and not expired,
-- that the asset is unchanged since the request (OCC on its state_version), then moves the asset
-- (pending → approved | rejected; a platform post: rejected → cancelled, approved stays scheduled)
-- and the approval, writes the audit and a pipeline event, and returns what starts the next pillar.
create or replace function public.bi_decide_approval(p_approval_id uuid, p_token_hash text, p_decision text,
                                                     p_actor text default null, p_feedback text default null)
returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  a approvals%rowtype;
  v_row jsonb;
  v_status text;
  v_version int;
  v_entity jsonb;
  v_approval jsonb;
  v_feedback text := nullif(btrim(coalesce(p_feedback, '')), '');
  v_next text;
  v_variant uuid;
begin
  if p_approval_id is null then
    perform bi_raise('BI400', 'approval_id is required', jsonb_build_object('field', 'approval_id'));
  end if;
  if p_decision is null or p_decision not in ('approved', 'rejected') then
    perform bi_raise('BI400', format('decision must be approved or rejected, got "%s"', left(coalesce(p_decision, ''), 40)),
                     jsonb_build_object('field', 'decision'));
  end if;
  if length(v_feedback) > 5000 then
    perform bi_raise('BI400', 'feedback is longer than 5000 characters', jsonb_build_object('field', 'feedback'));
  end if;
  if length(p_actor) > 200 then
    perform bi_raise('BI400', 'actor is longer than 200 characters', jsonb_build_object('field', 'actor'));
  end if;

  select * into a from approvals where approval_id = p_approval_id for update;
  if not found then
    perform bi_raise('BI404', format('approval %s not found', p_approval_id),
                     jsonb_build_object('entity', 'approval', 'id', p_approval_id, 'reason', 'not_found'));
  end if;
  -- The token first: without it, the caller learns nothing about the approval.
  if a.token_hash is null or p_token_hash is null or a.token_hash <> p_token_hash then
    perform bi_raise('BI422', format('this link does not belong to approval %s', p_approval_id),
                     jsonb_build_object('reason', 'token_mismatch'));
  end if;
  if a.status in ('approved', 'rejected') then
    perform bi_raise('BI409', format('approval %s was already decided (%s at %s): a link works once',
                                     p_approval_id, a.status, a.decided_at),
                     jsonb_build_object('reason', 'already_decided', 'status', a.status, 'decided_at', a.decided_at,
                                        'current_version', a.state_version));
  end if;
  if a.status = 'cancelled' then
    perform bi_raise('BI422', format('approval %s was withdrawn: a newer link replaced it', p_approval_id),
                     jsonb_build_object('reason', 'cancelled', 'status', a.status));
  end if;
  if a.status = 'expired' or a.expires_at is null or a.expires_at <= now() then
    perform bi_raise('BI422', format('the link of approval %s expired at %s', p_approval_id, a.expires_at),
                     jsonb_build_object('reason', 'expired', 'expires_at', a.expires_at));
  end if;

  v_row := bi_approval_target(a.entity, a.entity_id, true);
  if v_row is null then
    perform bi_raise('BI404', format('%s %s not found', a.entity, a.entity_id),
                     jsonb_build_object('entity', a.entity, 'id', a.entity_id, 'reason', 'not_found'));
  end if;
  v_status := v_row ->> '__status';
  v_version := (v_row ->> 'state_version')::int;
  if a.entity_version is not null and v_version <> a.entity_version then
    perform bi_raise('BI409', format('%s %s changed since the approval was requested (version %s, now %s): request a new approval',
                                     a.entity, a.entity_id, a.entity_version, v_version),
                     jsonb_build_object('reason', 'entity_changed', 'current_version', v_version,
                                        'expected_version', a.entity_version, 'current_status', v_status));
  end if;

  if a.entity = 'platform_post' then
    if v_status <> 'scheduled' then
      perform bi_raise('BI422', format('platform_post %s is "%s", no longer waiting at the publish gate', a.entity_id, v_status),
                       jsonb_build_object('reason', 'entity_state', 'status', v_status));
    end if;
    if p_decision = 'rejected' then
      v_entity := bi_transition('platform_post', a.entity_id, v_version, 'cancelled', p_actor,
                                coalesce(v_feedback, 'rejected at the publish gate'));
    else
      v_entity := jsonb_build_object('status', v_status, 'state_version', v_version);
    end if;
  else
    if v_status = 'draft' then
      perform bi_transition(a.entity, a.entity_id, v_version, 'pending', p_actor, 'approval requested');
      v_version := v_version + 1;
      v_status := 'pending';
    end if;
    if v_status <> 'pending' then
      perform bi_raise('BI422', format('%s %s is "%s", not pending approval', a.entity, a.entity_id, v_status),
                       jsonb_build_object('reason', 'entity_state', 'status', v_status));
    end if;
    v_entity := bi_transition(a.entity, a.entity_id, v_version, p_decision, p_actor, v_feedback);
    if a.entity = 'creative_brief' then
      -- The seed's brief JSON carries its approval status too.
      update creative_briefs set creative_brief = creative_brief || jsonb_build_object('approval_status', p_decision)
       where brief_id = a.entity_id;
    end if;
  end if;

  v_approval := bi_transition('approval', a.approval_id, a.state_version, p_decision, p_actor, v_feedback);
  v_next := bi_approval_next_pillar(a.entity, p_decision);
  v_variant := bi_approval_variant(a.entity, a.entity_id);
  perform bi_audit(a.campaign_id, 'decide_approval', a.entity, a.entity_id, p_actor,
                   jsonb_build_object('status', 'pending', 'approval_id', a.approval_id),
                   jsonb_build_object('status', p_decision, 'approval_id', a.approval_id, 'feedback', v_feedback,
                                      'next_pillar', v_next));
  insert into pipeline_events (campaign_id, event_type, payload)
  values (a.campaign_id, 'approval_' || p_decision,
          jsonb_build_object('approval_id', a.approval_id, 'entity', a.entity, 'entity_id', a.entity_id,
                             'variant_id', v_variant, 'next_pillar', v_next, 'feedback', v_feedback));

  return jsonb_build_object(
    'approval_id', a.approval_id,
    'entity', a.entity,
    'entity_id', a.entity_id,
    'decision', p_decision,
    'feedback', v_feedback,
    'campaign_id', a.campaign_id,
    'variant_id', v_variant,
    'decided_by', p_actor,
    'decided_at', v_approval -> 'record' -> 'decided_at',
    'approval_state_version', (v_approval ->> 'state_version')::int,
    'entity_status', v_entity ->> 'status',
    'entity_state_version', (v_entity ->> 'state_version')::int,
    'next_pillar', v_next,
    'next_action', case when p_decision = 'approved' then 'continue' else 'regenerate' end,
    'context', a.context);
end
$$;

-- ---------------------------------------------------------------- read, sweep
-- The approval with what the page shows: the asset (brief JSON, script, video master + outputs,
-- or the post), its scores (the row's own score and the latest safety report), the cost so far.
-- With p_token_hash, a token that is not this approval's is refused (BI422 token_mismatch).
create or replace function public.bi_get_approval(p_approval_id uuid, p_token_hash text default null) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  a approvals%rowtype;
  v_asset jsonb;
  v_score jsonb;
  v_safety jsonb;
  v_campaign jsonb;
begin
  select * into a from approvals where approval_id = p_approval_id;
  if not found then
    perform bi_raise('BI404', format('approval %s not found', p_approval_id),
                     jsonb_build_object('entity', 'approval', 'id', p_approval_id, 'reason', 'not_found'));
  end if;
  if p_token_hash is not null and a.token_hash is distinct from p_token_hash then
    perform bi_raise('BI422', format('this link does not belong to approval %s', p_approval_id),
                     jsonb_build_object('reason', 'token_mismatch'));
  end if;

  case a.entity
    when 'creative_brief' then
      select jsonb_build_object('brief_id', b.brief_id, 'creative_brief', b.creative_brief,
                                'campaign_request', b.campaign_request, 'brand_alignment_score', b.brand_alignment_score,
                                'review_reason', b.review_reason, 'alignment', b.alignment,
                                'status', b.approval_status, 'state_version', b.state_version),
             jsonb_build_object('name', 'brand_alignment_score', 'value', b.brand_alignment_score)
        into v_asset, v_score from creative_briefs b where b.brief_id = a.entity_id;
    when 'script' then
      select jsonb_build_object('script_id', s.script_id, 'brief_id', s.brief_id, 'hook', s.hook, 'scenes', s.scenes,
                                'voiceover_full_text', s.voiceover_full_text,
                                'total_duration_seconds', s.total_duration_seconds, 'variant_tag', s.variant_tag,
                                'brand_compliance_score', s.brand_compliance_score, 'version', s.version,
                                'status', s.approval_status, 'state_version', s.state_version),
             jsonb_build_object('name', 'brand_compliance_score', 'value', s.brand_compliance_score)
        into v_asset, v_score from scripts s where s.script_id = a.entity_id;
    when 'video' then
      select jsonb_build_object('video_id', x.video_id, 'script_id', x.script_id, 'variant_id', x.variant_id,
                                'master_mp4_url', x.master_mp4_url, 'master_duration_seconds', x.master_duration_seconds,
                                'outputs', x.outputs, 'quality_score', x.quality_score,
                                'total_cost_usd', bi_money(x.total_cost_usd),
                                'status', x.approval_status, 'state_version', x.state_version),
             jsonb_build_object('name', 'quality_score', 'value', x.quality_score)
        into v_asset, v_score from videos x where x.video_id = a.entity_id;
    when 'platform_post' then
      select jsonb_build_object('post_id', p.post_id, 'platform', p.platform, 'account_id', p.account_id,
                                'formatted_video_url', p.formatted_video_url, 'caption', p.caption,
                                'hashtags', to_jsonb(p.hashtags), 'aspect_ratio', p.aspect_ratio,
                                'duration_seconds', p.duration_seconds, 'thumbnail_url', p.thumbnail_url,
                                'status', p.publication_status, 'state_version', p.state_version),
             null
        into v_asset, v_score from platform_posts p where p.post_id = a.entity_id;
  end case;

  select jsonb_build_object('report_id', r.report_id, 'route', r.route, 'confidence', r.confidence,
                            'checks', r.checks, 'reasons', r.reasons, 'created_at', r.created_at)
    into v_safety
    from safety_reports r
   where r.entity = a.entity and r.entity_id = a.entity_id
   order by r.created_at desc, r.report_id limit 1;

  select jsonb_build_object('campaign_id', c.campaign_id, 'campaign_name', c.campaign_name, 'status', c.status,
                            'brand_name', b.brand_name)
    into v_campaign
    from campaigns c join brands b on b.brand_id = c.brand_id where c.campaign_id = a.campaign_id;

  return bi_approval_json(a) || jsonb_build_object(
    'asset', v_asset,
    'scores', jsonb_build_object('score', v_score, 'safety', v_safety),
    'campaign', v_campaign,
    'variant_id', bi_approval_variant(a.entity, a.entity_id),
    'cost_so_far', case when a.campaign_id is not null
                        then (select bi_money(current_cost_usd) from campaigns where campaign_id = a.campaign_id) end,
    'budget', case when a.campaign_id is not null then bi_budget_json(a.campaign_id) end);
end
$$;

-- Closes pending approvals past their expiry (a cron workflow calls it; bi_create_approval also
-- closes the asset's own). An expired approval leaves its asset pending: a new link can be sent.
create or replace function public.bi_expire_approvals(p_limit int default 100) returns jsonb
language plpgsql set search_path = public, extensions as $$
declare
  a approvals%rowtype;
  v_ids jsonb := '[]'::jsonb;
begin
  for a in select * from approvals
            where status = 'pending' and expires_at <= now()
            order by expires_at
            limit greatest(1, least(coalesce(p_limit, 100), 1000))
            for update skip locked loop
    perform bi_transition('approval', a.approval_id, a.state_version, 'expired', 'system', 'expired before a decision');
    v_ids := v_ids || to_jsonb(a.approval_id);
  end loop;
  return jsonb_build_object('expired', jsonb_array_length(v_ids), 'approval_ids', v_ids);
end
$$;

-- ---------------------------------------------------------------- engagement per variant
-- engagement_metrics holds snapshots of each post's cumulative counters: the latest snapshot per
-- post and metric counts, summed over the variant's posts. Every variant of the campaign is listed,
-- with zeros when it has no posts. engagements = likes + shares + comments.
create or replace function public.bi_variant_engagement(p_campaign_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
begin
  if p_campaign_id is null or not exists (select 1 from campaigns where campaign_id = p_campaign_id) then
    perform bi_raise('BI404', format('campaign %s not found', p_campaign_id),
                     jsonb_build_object('entity', 'campaign', 'id', p_campaign_id, 'field', 'campaign_id'));
  end if;
  return jsonb_build_object('campaign_id', p_campaign_id, 'variants', coalesce((
    with posts as (
      select p.post_id, p.platform, p.publication_status, coalesce(p.variant_id, pub.variant_id) as variant_id
        from platform_posts p
        left join publications pub on pub.publication_id = p.publication_id
       where coalesce(p.campaign_id, pub.campaign_id) = p_campaign_id
    ), latest as (
      select distinct on (m.platform_post_id, m.metric_type) m.platform_post_id, m.metric_type, coalesce(m.value, 0) as value
        from engagement_metrics m
        join posts on posts.post_id = m.platform_post_id
       order by m.platform_post_id, m.metric_type, m.recorded_at desc nulls last, m.metric_id
    ), sums as (
      select posts.variant_id,
             sum(l.value) filter (where l.metric_type = 'views') as views,
             sum(l.value) filter (where l.metric_type = 'likes') as likes,
             sum(l.value) filter (where l.metric_type = 'shares') as shares,
             sum(l.value) filter (where l.metric_type = 'comments') as comments,
             sum(l.value) filter (where l.metric_type = 'clicks') as clicks,
             sum(l.value) filter (where l.metric_type = 'conversions') as conversions,
             sum(l.value) filter (where l.metric_type = 'watch_time_seconds') as watch_time_seconds
        from latest l join posts on posts.post_id = l.platform_post_id
       group by posts.variant_id
    ), counts as (
      select variant_id, count(*) as posts,
             count(*) filter (where publication_status = 'published') as published_posts,
             jsonb_agg(distinct platform) as platforms
        from posts group by variant_id
    )
    select jsonb_agg(jsonb_build_object(
             'variant_id', v.variant_id, 'variant_type', v.variant_type, 'status', v.status,
             'posts', coalesce(c.posts, 0), 'published_posts', coalesce(c.published_posts, 0),
             'platforms', coalesce(c.platforms, '[]'::jsonb),
             'views', coalesce(s.views, 0), 'likes', coalesce(s.likes, 0), 'shares', coalesce(s.shares, 0),
             'comments', coalesce(s.comments, 0), 'clicks', coalesce(s.clicks, 0),
             'conversions', coalesce(s.conversions, 0), 'watch_time_seconds', coalesce(s.watch_time_seconds, 0),
             'engagements', coalesce(s.likes, 0) + coalesce(s.shares, 0) + coalesce(s.comments, 0),
             'engagement_rate', case when coalesce(s.views, 0) > 0
                                     then round((coalesce(s.likes, 0) + coalesce(s.shares, 0) + coalesce(s.comments, 0))::numeric
                                                / s.views, 6) end)
           order by v.created_at, v.variant_id)
      from variants v
      left join sums s on s.variant_id = v.variant_id
      left join counts c on c.variant_id = v.variant_id
     where v.campaign_id = p_campaign_id), '[]'::jsonb));
end
$$;

-- ---------------------------------------------------------------- campaign report
-- Cost per pillar and per variant (bi_cost_summary), the status timeline (every status change and
-- approval step in the audit log, oldest first, the latest 2000), the posts with their latest
-- metrics, engagement per variant, the approvals, and how many assets sit in each status.
create or replace function public.bi_campaign_report(p_campaign_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  c campaigns%rowtype;
begin
  select * into c from campaigns where campaign_id = p_campaign_id;
  if not found then
    perform bi_raise('BI404', format('campaign %s not found', p_campaign_id),
                     jsonb_build_object('entity', 'campaign', 'id', p_campaign_id, 'field', 'campaign_id'));
  end if;
  return jsonb_build_object(
    'campaign', bi_campaign_json(c) || jsonb_build_object(
                  'brand_name', (select brand_name from brands where brand_id = c.brand_id)),
    'generated_at', now(),
    'cost', bi_cost_summary(p_campaign_id),
    'variants', bi_variant_engagement(p_campaign_id) -> 'variants',
    'timeline', coalesce((
      select jsonb_agg(jsonb_build_object(
               'seq', l.seq, 'at', l.created_at, 'action', l.action, 'entity', l.entity, 'entity_id', l.entity_id,
               'from_status', l.previous_state ->> 'status', 'to_status', l.new_state ->> 'status',
               'actor', l.actor_label, 'reason', coalesce(l.new_state ->> 'reason', l.new_state ->> 'feedback'))
             order by l.seq)
        from (select * from campaign_audit_log
               where campaign_id = p_campaign_id
                 and (new_state ? 'status' or action in ('request_approval', 'decide_approval'))
               order by seq desc limit 2000) l), '[]'::jsonb),
    'posts', coalesce((
      select jsonb_agg(jsonb_build_object(
               'post_id', p.post_id, 'variant_id', coalesce(p.variant_id, pub.variant_id), 'platform', p.platform, 'account_id', p.account_id,
               'status', p.publication_status, 'platform_post_id', p.platform_post_id, 'published_at', p.published_at,
               'aspect_ratio', p.aspect_ratio, 'caption', p.caption,
               'metrics', coalesce((select jsonb_object_agg(m.metric_type, m.value)
                                      from (select distinct on (metric_type) metric_type, coalesce(value, 0) as value
                                              from engagement_metrics where platform_post_id = p.post_id
                                             order by metric_type, recorded_at desc nulls last, metric_id) m), '{}'::jsonb))
             order by p.created_at, p.post_id)
        from platform_posts p
        left join publications pub on pub.publication_id = p.publication_id
       where coalesce(p.campaign_id, pub.campaign_id) = p_campaign_id), '[]'::jsonb),
    'approvals', coalesce((select jsonb_agg(bi_approval_json(a) order by a.created_at, a.approval_id)
                             from approvals a where a.campaign_id = p_campaign_id), '[]'::jsonb),
    'assets', jsonb_build_object(
      'creative_briefs', coalesce((select jsonb_object_agg(approval_status, n) from
                                   (select approval_status, count(*) n from creative_briefs where campaign_id = p_campaign_id
                                     group by approval_status) x), '{}'::jsonb),
      'scripts', coalesce((select jsonb_object_agg(approval_status, n) from
                           (select approval_status, count(*) n from scripts where campaign_id = p_campaign_id
                             group by approval_status) x), '{}'::jsonb),
      'videos', coalesce((select jsonb_object_agg(approval_status, n) from
                          (select approval_status, count(*) n from videos where campaign_id = p_campaign_id
                            group by approval_status) x), '{}'::jsonb)));
end
$$;

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261122000600', 'approvals_reports')
  on conflict (version) do nothing;
