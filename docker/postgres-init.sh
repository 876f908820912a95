#!/bin/sh
# First start of the Postgres container: one database for n8n, one for the Brand Infinity store
# (with pgvector, which the store's migrations use for brand guideline search).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
create role n8n login password '${N8N_DB_PASSWORD}';
create database n8n owner n8n;
create role brand_infinity login password '${BI_DB_PASSWORD}';
create database brand_infinity owner brand_infinity;
\connect brand_infinity
create extension if not exists vector;
SQL
