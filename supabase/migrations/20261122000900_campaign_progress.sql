-- Where a campaign is in the pipeline, in one read: its briefs, scripts and videos by status, each
-- video's scenes (how many have a clip), the posts, and the approvals still waiting for a person.
-- For dashboards and the demo's progress line; the stage itself is derived in lib/reports/progress.ts.
create or replace function public.bi_campaign_progress(p_campaign_id uuid) returns jsonb
language plpgsql stable set search_path = public, extensions as $$
declare
  v campaigns%rowtype;
begin
  select * into v from campaigns where campaign_id = p_campaign_id;
  if not found then
    perform bi_raise('BI404', format('campaign %s not found', p_campaign_id),
                     jsonb_build_object('entity', 'campaign', 'id', p_campaign_id, 'field', 'campaign_id'));
  end if;
  return jsonb_build_object(
    'campaign_id', v.campaign_id,
    'campaign_name', v.campaign_name,
    'status', v.status,
    'current_cost_usd', v.current_cost_usd,
    'budget_limit_usd', v.budget_limit_usd,
    'target_platforms', coalesce((select b.campaign_request -> 'target_platforms' from creative_briefs b
                                   where b.campaign_id = p_campaign_id and jsonb_typeof(b.campaign_request -> 'target_platforms') = 'array'
                                   order by b.created_at limit 1), '[]'::jsonb),
    'variants', coalesce((select jsonb_agg(jsonb_build_object(
                           'variant_id', x.variant_id, 'variant_type', x.variant_type, 'status', x.status,
                           'script_id', x.script_id, 'video_id', x.video_id,
                           'posts_published', (select count(*) from platform_posts p
                                                where p.variant_id = x.variant_id and p.publication_status = 'published'))
                           order by x.created_at)
                          from variants x where x.campaign_id = p_campaign_id), '[]'::jsonb),
    'briefs', coalesce((select jsonb_agg(jsonb_build_object('brief_id', b.brief_id, 'status', b.approval_status) order by b.created_at)
                          from creative_briefs b where b.campaign_id = p_campaign_id), '[]'::jsonb),
    'scripts', coalesce((select jsonb_agg(jsonb_build_object('script_id', s.script_id, 'variant_tag', s.variant_tag, 'status', s.approval_status) order by s.created_at)
                           from scripts s where s.campaign_id = p_campaign_id), '[]'::jsonb),
    'videos', coalesce((select jsonb_agg(jsonb_build_object(
                           'video_id', x.video_id, 'variant_id', x.variant_id, 'status', x.approval_status, 'master', x.master_mp4_url,
                           'outputs', x.outputs,
                           'scenes_total', (select count(*) from scenes sc where sc.video_id = x.video_id),
                           'scenes_ready', (select count(*) from scenes sc where sc.video_id = x.video_id and sc.status = 'ready'))
                           order by x.created_at)
                          from videos x where x.campaign_id = p_campaign_id), '[]'::jsonb),
    'posts', coalesce((select jsonb_agg(jsonb_build_object(
                          'post_id', p.post_id, 'variant_id', p.variant_id, 'platform', p.platform, 'account_id', p.account_id,
                          'status', p.publication_status, 'platform_post_id', p.platform_post_id,
                          'formatted_video_url', p.formatted_video_url, 'published_at', p.published_at)
                          order by p.created_at)
                         from platform_posts p left join publications pub on pub.publication_id = p.publication_id
                        where coalesce(p.campaign_id, pub.campaign_id) = p_campaign_id), '[]'::jsonb),
    'pending_approvals', coalesce((select jsonb_agg(jsonb_build_object(
                          'approval_id', a.approval_id, 'entity', a.entity, 'entity_id', a.entity_id, 'expires_at', a.expires_at)
                          order by a.created_at)
                         from approvals a where a.campaign_id = p_campaign_id and a.status = 'pending'
                           and (a.expires_at is null or a.expires_at > now())), '[]'::jsonb));
end
$$;

-- The Judge's safety reports of a campaign (briefs, scripts, captions, videos, posts), oldest first.
create or replace function public.bi_safety_reports(p_campaign_id uuid) returns jsonb
language sql stable set search_path = public, extensions as $$
  select coalesce(jsonb_agg(to_jsonb(r) order by r.created_at), '[]'::jsonb)
    from safety_reports r where r.campaign_id = p_campaign_id
$$;

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261122000900', 'campaign_progress')
  on conflict (version) do nothing;
