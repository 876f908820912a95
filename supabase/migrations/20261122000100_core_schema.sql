-- Brand Infinity core schema: every table of seed 003 (pillars 1-5) with the seed's column names,
-- plus what the design needs (brands, reservations, alerts, approvals, generation cache, personas,
-- pipeline events). Rows whose status changes carry state_version (seed 000 OCC).
-- Changes from the seed's DDL, each deliberate:
--   * timestamptz instead of timestamp; money is numeric(18,6) (micro-dollar exact).
--   * approval_status of briefs/scripts/videos defaults to 'draft' (the approval diagram starts
--     there); 'pending' is the seed's "PendingApproval".
--   * videos.master_mp4_url and scenes.clip_url are nullable: the rows exist before the media.
--   * campaign_id columns on briefs, scripts, videos, jobs and posts link every row to its
--     campaign for the audit trail and cost attribution.
-- The pgvector column, index and search function live in the *_pgvector migration.


create table if not exists public.bi_schema_version (
  version text primary key,
  name text not null,
  applied_at timestamptz not null default now()
);

-- ---------------------------------------------------------------- brands (design)
create table public.brands (
  brand_id uuid primary key default gen_random_uuid(),
  brand_name text not null check (length(btrim(brand_name)) between 1 and 200),
  tone text,
  color_palette jsonb not null default '[]'::jsonb check (jsonb_typeof(color_palette) = 'array'),
  restricted_keywords jsonb not null default '[]'::jsonb check (jsonb_typeof(restricted_keywords) = 'array'),
  visual_style text,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- ---------------------------------------------------------------- pillar 4: campaign manager
create table public.campaigns (
  campaign_id uuid primary key default gen_random_uuid(),
  campaign_name text not null check (length(btrim(campaign_name)) between 1 and 200),
  brand_id uuid not null references public.brands(brand_id),
  status text not null default 'draft'
    check (status in ('draft', 'in_production', 'completed', 'published', 'paused', 'cancelled')),
  budget_limit_usd numeric(18,6) check (budget_limit_usd >= 0),
  current_cost_usd numeric(18,6) not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  state_version integer not null default 1,
  paused_from text check (paused_from in ('draft', 'in_production', 'completed')),
  paused_reason text
);
create index campaigns_brand_idx on public.campaigns (brand_id, created_at desc);
create index campaigns_status_idx on public.campaigns (status);

create table public.variants (
  variant_id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references public.campaigns(campaign_id),
  variant_type text not null check (variant_type in ('humorous', 'serious', 'emotional', 'educational')),
  brief_id uuid,
  script_id uuid,
  video_id uuid,
  status text not null default 'draft'
    check (status in ('draft', 'in_production', 'completed', 'published', 'failed', 'archived')),
  performance_metrics jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  state_version integer not null default 1
);
create index variants_campaign_idx on public.variants (campaign_id);

-- ---------------------------------------------------------------- pillar 1: strategist
create table public.trends (
  trend_id uuid primary key default gen_random_uuid(),
  topic text not null,
  source text not null,
  detected_at timestamptz default now(),
  engagement_score numeric,
  category text,
  metadata jsonb,
  source_url text
);
create index trends_detected_idx on public.trends (detected_at desc);

create table public.brand_guidelines (
  guideline_id uuid primary key default gen_random_uuid(),
  brand_id uuid not null references public.brands(brand_id),
  content text not null,
  category text check (category in ('tone', 'visual_style', 'restrictions', 'other')),
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  document_id text,
  chunk_index integer,
  unique (brand_id, document_id, chunk_index)
);
create index brand_guidelines_brand_idx on public.brand_guidelines (brand_id, category);

create table public.competitor_ads (
  ad_id uuid primary key default gen_random_uuid(),
  competitor_name text not null,
  platform text not null,
  ad_url text,
  media_url text,
  engagement_metrics jsonb,
  detected_at timestamptz default now(),
  analyzed_at timestamptz,
  patterns jsonb,
  brand_id uuid references public.brands(brand_id)
);
create index competitor_ads_detected_idx on public.competitor_ads (detected_at desc);

create table public.creative_briefs (
  brief_id uuid primary key default gen_random_uuid(),
  campaign_request jsonb not null,
  creative_brief jsonb not null,
  brand_alignment_score numeric check (brand_alignment_score between 0 and 1),
  approval_status text not null default 'draft'
    check (approval_status in ('draft', 'pending', 'approved', 'rejected', 'in_production', 'completed', 'published')),
  approved_by uuid,
  approved_at timestamptz,
  created_at timestamptz default now(),
  variant_tags text[],
  campaign_id uuid references public.campaigns(campaign_id),
  brand_id uuid references public.brands(brand_id),
  state_version integer not null default 1,
  updated_at timestamptz not null default now()
);
create index creative_briefs_campaign_idx on public.creative_briefs (campaign_id);
create index creative_briefs_status_idx on public.creative_briefs (approval_status);

-- ---------------------------------------------------------------- pillar 2: copywriter
create table public.scripts (
  script_id uuid primary key default gen_random_uuid(),
  brief_id uuid references public.creative_briefs(brief_id),
  hook jsonb not null,
  scenes jsonb not null,
  voiceover_full_text text not null,
  total_duration_seconds integer check (total_duration_seconds > 0),
  variant_tag text check (variant_tag in ('humorous', 'serious', 'emotional', 'educational')),
  brand_compliance_score numeric check (brand_compliance_score between 0 and 1),
  approval_status text not null default 'draft'
    check (approval_status in ('draft', 'pending', 'approved', 'rejected', 'in_production', 'completed', 'published')),
  approved_by uuid,
  approved_at timestamptz,
  created_at timestamptz default now(),
  version integer default 1,
  campaign_id uuid references public.campaigns(campaign_id),
  state_version integer not null default 1,
  updated_at timestamptz not null default now()
);
create index scripts_brief_idx on public.scripts (brief_id);
create index scripts_campaign_idx on public.scripts (campaign_id);

create table public.hooks (
  hook_id uuid primary key default gen_random_uuid(),
  script_id uuid references public.scripts(script_id),
  hook_text text not null,
  hook_type text check (hook_type in ('question', 'statement', 'visual_shock', 'story')),
  quality_score numeric check (quality_score between 0 and 1),
  variation_number integer,
  selected boolean default false,
  generated_at timestamptz default now(),
  brief_id uuid references public.creative_briefs(brief_id),
  scores jsonb,
  rationale text
);
create index hooks_brief_idx on public.hooks (brief_id, quality_score desc);
create index hooks_script_idx on public.hooks (script_id);

create table public.scene_segments (
  scene_id uuid primary key default gen_random_uuid(),
  script_id uuid references public.scripts(script_id),
  sequence integer not null check (sequence >= 1),
  duration_seconds integer check (duration_seconds > 0),
  visual_prompt text not null,
  voiceover_text text not null,
  visual_cues jsonb,
  audio_cues jsonb,
  created_at timestamptz default now(),
  unique (script_id, sequence)
);

create table public.script_versions (
  version_id uuid primary key default gen_random_uuid(),
  script_id uuid references public.scripts(script_id),
  version_number integer not null check (version_number >= 1),
  script_data jsonb not null,
  created_at timestamptz default now(),
  created_by uuid,
  unique (script_id, version_number)
);

-- ---------------------------------------------------------------- pillar 3: production house
create table public.videos (
  video_id uuid primary key default gen_random_uuid(),
  script_id uuid references public.scripts(script_id),
  master_mp4_url text,
  master_duration_seconds integer,
  quality_score numeric check (quality_score between 0 and 1),
  total_cost_usd numeric(18,6),
  approval_status text not null default 'draft'
    check (approval_status in ('draft', 'pending', 'approved', 'rejected', 'in_production', 'completed', 'published')),
  approved_by uuid,
  approved_at timestamptz,
  created_at timestamptz default now(),
  campaign_id uuid references public.campaigns(campaign_id),
  variant_id uuid references public.variants(variant_id),
  state_version integer not null default 1,
  updated_at timestamptz not null default now()
);
create index videos_script_idx on public.videos (script_id);
create index videos_campaign_idx on public.videos (campaign_id);

create table public.scenes (
  scene_id uuid primary key default gen_random_uuid(),
  video_id uuid references public.videos(video_id),
  script_scene_id uuid,
  sequence integer not null check (sequence >= 1),
  clip_url text,
  duration_seconds integer,
  model_used text not null,
  generation_job_id text,
  cost_usd numeric(18,6),
  quality_score numeric,
  created_at timestamptz default now(),
  unique (video_id, sequence)
);

create table public.generation_jobs (
  job_id uuid primary key default gen_random_uuid(),
  scene_id uuid references public.scenes(scene_id),
  model_name text not null,
  job_api_id text,
  status text not null default 'queued'
    check (status in ('queued', 'submitting', 'processing', 'completed', 'failed', 'dead_letter', 'cancelled')),
  prompt text not null,
  parameters jsonb,
  result_url text,
  error_message text,
  started_at timestamptz,
  completed_at timestamptz,
  cost_usd numeric(18,6),
  created_at timestamptz default now(),
  campaign_id uuid references public.campaigns(campaign_id),
  provider text,
  priority integer not null default 0,
  attempts integer not null default 0,
  max_attempts integer not null default 3 check (max_attempts >= 1),
  next_poll_at timestamptz not null default now(),
  lease_owner text,
  lease_expires_at timestamptz,
  request_hash text,
  state_version integer not null default 1,
  updated_at timestamptz not null default now()
);
-- The claim query: due jobs in a pollable status, by priority.
create index generation_jobs_due_idx on public.generation_jobs (priority desc, next_poll_at)
  where status in ('queued', 'submitting', 'processing');
create index generation_jobs_scene_idx on public.generation_jobs (scene_id);
create index generation_jobs_api_idx on public.generation_jobs (provider, job_api_id);

create table public.audio_assets (
  audio_id uuid primary key default gen_random_uuid(),
  video_id uuid references public.videos(video_id),
  voiceover_url text,
  background_music_url text,
  sfx_urls text[],
  synced_audio_url text,
  created_at timestamptz default now()
);

create table public.generation_cache (
  cache_key text primary key,
  model_name text not null,
  clip_url text not null,
  job_id uuid references public.generation_jobs(job_id),
  created_at timestamptz not null default now()
);

-- ---------------------------------------------------------------- pillar 4 (continued)
alter table public.variants
  add constraint variants_brief_fk foreign key (brief_id) references public.creative_briefs(brief_id),
  add constraint variants_script_fk foreign key (script_id) references public.scripts(script_id),
  add constraint variants_video_fk foreign key (video_id) references public.videos(video_id);

create table public.assets (
  asset_id uuid primary key default gen_random_uuid(),
  variant_id uuid references public.variants(variant_id),
  asset_type text not null
    check (asset_type in ('brief', 'script', 'video', 'audio', 'image', 'clip', 'thumbnail', 'caption', 'other')),
  asset_url text,
  asset_metadata jsonb,
  created_at timestamptz default now(),
  campaign_id uuid not null references public.campaigns(campaign_id)
);
create index assets_campaign_idx on public.assets (campaign_id, asset_type);
create index assets_variant_idx on public.assets (variant_id);

create table public.budget_reservations (
  reservation_id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references public.campaigns(campaign_id),
  variant_id uuid references public.variants(variant_id),
  pillar text not null,
  amount_usd numeric(18,6) not null check (amount_usd > 0),
  ref text,
  status text not null default 'active' check (status in ('active', 'settled', 'released')),
  settled_amount_usd numeric(18,6),
  ledger_entry_id uuid,
  created_at timestamptz not null default now(),
  -- A reservation whose caller vanished stops holding budget after a day.
  expires_at timestamptz not null default now() + interval '24 hours',
  settled_at timestamptz,
  state_version integer not null default 1,
  unique (campaign_id, ref)
);
create index budget_reservations_active_idx on public.budget_reservations (campaign_id)
  where status = 'active';

create table public.cost_ledger (
  ledger_entry_id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references public.campaigns(campaign_id),
  variant_id uuid references public.variants(variant_id),
  pillar text not null check (pillar in ('strategist', 'copywriter', 'production', 'campaign_manager', 'broadcaster')),
  cost_type text not null check (cost_type in ('api_cost', 'storage_cost', 'processing_cost', 'adjustment')),
  amount_usd numeric(18,6) not null,
  description text,
  created_at timestamptz default now(),
  reservation_id uuid unique references public.budget_reservations(reservation_id),
  -- Only an adjustment (a provider refund, a correction) may be negative.
  check (amount_usd >= 0 or cost_type = 'adjustment')
);
create index cost_ledger_campaign_idx on public.cost_ledger (campaign_id, pillar);
create index cost_ledger_variant_idx on public.cost_ledger (variant_id);
alter table public.budget_reservations
  add constraint budget_reservations_pillar_check
    check (pillar in ('strategist', 'copywriter', 'production', 'campaign_manager', 'broadcaster')),
  add constraint budget_reservations_ledger_fk
    foreign key (ledger_entry_id) references public.cost_ledger(ledger_entry_id);

create table public.budget_alerts (
  alert_id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references public.campaigns(campaign_id),
  threshold_pct integer not null check (threshold_pct in (50, 75, 90, 100)),
  committed_usd numeric(18,6) not null,
  budget_limit_usd numeric(18,6) not null,
  created_at timestamptz not null default now(),
  unique (campaign_id, threshold_pct)
);

create table public.campaign_audit_log (
  log_id uuid primary key default gen_random_uuid(),
  campaign_id uuid references public.campaigns(campaign_id),
  action text not null,
  actor uuid,
  previous_state jsonb,
  new_state jsonb,
  created_at timestamptz default now(),
  entity text,
  entity_id uuid,
  actor_label text,
  seq bigint generated always as identity
);
create index campaign_audit_log_campaign_idx on public.campaign_audit_log (campaign_id, seq);

create table public.approvals (
  approval_id uuid primary key default gen_random_uuid(),
  campaign_id uuid references public.campaigns(campaign_id),
  entity text not null check (entity in ('creative_brief', 'script', 'video', 'platform_post')),
  entity_id uuid not null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected', 'expired', 'cancelled')),
  token_hash text,
  expires_at timestamptz,
  decided_at timestamptz,
  decided_by text,
  feedback text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  state_version integer not null default 1
);
create index approvals_entity_idx on public.approvals (entity, entity_id);
create unique index approvals_one_pending_idx on public.approvals (entity, entity_id) where status = 'pending';

create table public.personas (
  persona_id uuid primary key default gen_random_uuid(),
  brand_id uuid references public.brands(brand_id),
  persona_name text not null,
  description text,
  attributes jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create table public.pipeline_events (
  event_id uuid primary key default gen_random_uuid(),
  campaign_id uuid references public.campaigns(campaign_id),
  event_type text not null,
  payload jsonb,
  created_at timestamptz not null default now()
);
create index pipeline_events_campaign_idx on public.pipeline_events (campaign_id, created_at);

-- ---------------------------------------------------------------- pillar 5: broadcaster
create table public.publications (
  publication_id uuid primary key default gen_random_uuid(),
  campaign_id uuid references public.campaigns(campaign_id),
  variant_id uuid references public.variants(variant_id),
  created_at timestamptz default now()
);
create index publications_campaign_idx on public.publications (campaign_id);

create table public.platform_posts (
  post_id uuid primary key default gen_random_uuid(),
  publication_id uuid references public.publications(publication_id),
  platform text not null check (platform in ('instagram', 'tiktok', 'youtube', 'linkedin', 'blotato', 'outbox')),
  formatted_video_url text not null,
  platform_post_id text,
  caption text,
  hashtags text[],
  aspect_ratio text check (aspect_ratio in ('9:16', '16:9', '1:1')),
  duration_seconds integer,
  thumbnail_url text,
  publication_status text not null default 'scheduled'
    check (publication_status in ('scheduled', 'publishing', 'published', 'failed', 'unknown', 'cancelled')),
  published_at timestamptz,
  engagement_metrics jsonb,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  campaign_id uuid references public.campaigns(campaign_id),
  account_id text,
  -- One key per variant x platform x account: the guard against a second post.
  idempotency_key text unique,
  state_version integer not null default 1
);
create index platform_posts_publication_idx on public.platform_posts (publication_id);

create table public.scheduled_posts (
  schedule_id uuid primary key default gen_random_uuid(),
  platform_post_id uuid references public.platform_posts(post_id),
  scheduled_time timestamptz not null,
  status text not null default 'pending' check (status in ('pending', 'published', 'cancelled', 'failed')),
  created_at timestamptz default now(),
  state_version integer not null default 1
);
create index scheduled_posts_due_idx on public.scheduled_posts (scheduled_time) where status = 'pending';

create table public.engagement_metrics (
  metric_id uuid primary key default gen_random_uuid(),
  platform_post_id uuid references public.platform_posts(post_id),
  metric_type text not null check (metric_type in ('views', 'likes', 'shares', 'comments', 'conversions', 'clicks', 'watch_time_seconds')),
  value integer default 0,
  recorded_at timestamptz default now()
);
create index engagement_metrics_post_idx on public.engagement_metrics (platform_post_id, metric_type, recorded_at desc);

-- ---------------------------------------------------------------- security helper
-- Every table: row level security on, no policies (so anon/authenticated read nothing), and
-- privileges for the service role only. Every bi_/match_ function: executable by service_role only.
-- Each migration calls this at its end so later tables and functions are covered too.
create or replace function public.bi_secure_schema() returns void
language plpgsql set search_path = public, extensions as $$
declare
  t record;
  f record;
begin
  for t in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind = 'r' loop
    execute format('alter table public.%I enable row level security', t.relname);
    execute format('revoke all on table public.%I from public, anon, authenticated', t.relname);
    execute format('grant all on table public.%I to service_role', t.relname);
  end loop;
  for f in select p.oid::regprocedure as sig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = 'public' and (p.proname like 'bi\_%' or p.proname like 'match\_%') loop
    execute format('revoke all on function %s from public, anon, authenticated', f.sig);
    execute format('grant execute on function %s to service_role', f.sig);
  end loop;
  grant usage, select on all sequences in schema public to service_role;
end
$$;

select public.bi_secure_schema();
insert into public.bi_schema_version (version, name) values ('20261122000100', 'core_schema')
  on conflict (version) do nothing;
