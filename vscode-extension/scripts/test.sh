#!/usr/bin/env bash
# The extension's tests: (1) types and lint, (2) unit tests under a `vscode` stub, (3) the protocol
# test against the real apirec server, (+) the bundle and the VSIX. Ends with node's test summary.
#
# Env: APIREC_TEST_PYTHON  interpreter with apirec installed (default: the extension's own default,
#                          python3); APIREC_HOME is inherited (the default index is built on first use).
#      APIREC_SKIP_PACKAGE=1 skips the bundle/VSIX step.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "1. tsc --noEmit (strict) and eslint"
npx tsc -p . --noEmit
npx eslint --max-warnings=0 src test

step "build: sources and tests to out/ (esbuild, one file each, for node --test)"
rm -rf out
npx esbuild $(find src test -name '*.ts') --outdir=out --outbase=. --format=cjs --platform=node \
  --target=node20 --sourcemap --log-level=warning

if [ "${APIREC_SKIP_PACKAGE:-0}" = 1 ]; then
  npm run --silent bundle -- --log-level=warning
else
  step "package: vsce package (offline)"
  rm -f dist/apirec.vsix
  # vsce runs the `vscode:prepublish` script (the esbuild bundle) itself.
  # --no-rewrite-relative-links: the README's screenshot (media/, not packaged) stays a relative path;
  # without a repository URL vsce would refuse it.
  npx vsce package --no-dependencies --allow-missing-repository --no-rewrite-relative-links --out dist/apirec.vsix >out/vsce.log 2>&1 || { cat out/vsce.log; exit 1; }
  grep -E 'WARNING|DONE' out/vsce.log || true
  test -s dist/apirec.vsix
  python3 -c "import zipfile; n = zipfile.ZipFile('dist/apirec.vsix').namelist(); assert 'extension/dist/extension.js' in n, n"
  echo "dist/apirec.vsix: $(du -k dist/apirec.vsix | cut -f1) KiB"
fi

step "2. unit tests (vscode stub) and 3. protocol test (real server)"
# One node --test run so that the output ends with a single test summary.
node --require ./out/test/stubs/register.js --test --test-reporter=spec \
  out/test/unit/ out/test/protocol/
