/* eslint-disable no-console */
// Test 4: end to end in real VS Code (code-server), run by scripts/e2e.sh, which installs Node 24
// and code-server and builds the VSIX, then passes their paths in APIREC_E2E_*.
//
// A fresh user-data and extensions folder; the VSIX installed with `code-server --install-extension`;
// a workspace with demo.py and `apirec.interpreter` in its settings; code-server on 127.0.0.1 without
// auth; Debian's Chromium (headless) through playwright-core opens the folder and the file, waits for
// the apirec status-bar item to show the server ready, types `json.` and reads the suggest widget.
import assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { Browser, chromium, Page } from 'playwright-core';

// Compiled to out/test/e2e/ by scripts/e2e.sh.
const EXT_DIR = path.resolve(__dirname, '../../..');
const env = process.env;
const need = (name: string): string => env[name] || assert.fail(`${name} is not set: run this through scripts/e2e.sh`);
const NODE = need('APIREC_E2E_NODE_BIN');
const ENTRY = need('APIREC_E2E_CODE_SERVER_ENTRY');
const VSIX = need('APIREC_E2E_VSIX');
const CHROMIUM = env.APIREC_E2E_CHROMIUM || '/usr/bin/chromium';
const PYTHON = env.APIREC_TEST_PYTHON || 'python3';
const EXPECT = env.APIREC_E2E_EXPECT || 'dumps';
const SCREENSHOT = path.resolve(EXT_DIR, env.APIREC_E2E_SCREENSHOT || 'out/e2e/e2e-completion.png');
const READY_TIMEOUT_MS = Number(env.APIREC_E2E_READY_TIMEOUT_MS ?? 300_000);
const VIEWPORT = { width: 1280, height: 720 };

const SOURCE = 'import json\n\nconfig = {"name": "apirec", "offline": True}\ntext = ';
const TYPED = 'json.';

const t0 = Date.now();
const log = (msg: string) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

const run = fs.mkdtempSync(path.join(os.tmpdir(), 'apirec-e2e-'));
const dirs = {
  userData: path.join(run, 'user-data'),
  extensions: path.join(run, 'extensions'),
  xdg: path.join(run, 'xdg'),
  ws: path.join(run, 'workspace'),
};
let server: ChildProcess | undefined;
let serverOut = '';
let browser: Browser | undefined;

after(async () => {
  await browser?.close().catch(() => undefined);
  if (server && server.exitCode === null) {
    try {
      process.kill(-server.pid!, 'SIGTERM'); // its process group: code-server, extension host, apirec server
    } catch {
      // already gone
    }
  }
  if (env.APIREC_E2E_KEEP === '1') {
    log(`kept ${run}`);
  } else {
    fs.rmSync(run, { recursive: true, force: true, maxRetries: 3 });
  }
});

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

// code-server (and Chromium) keep config and state under XDG folders: a fresh set per run, not the user's.
function codeServerEnv(): NodeJS.ProcessEnv {
  return {
    ...env,
    XDG_CONFIG_HOME: path.join(dirs.xdg, 'config'),
    XDG_DATA_HOME: path.join(dirs.xdg, 'data'),
    XDG_CACHE_HOME: path.join(dirs.xdg, 'cache'),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHttp(proc: ChildProcess, url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc.exitCode !== null) {
      assert.fail(`code-server exited (${proc.exitCode}):\n${serverOut}`);
    }
    try {
      const r = await fetch(url);
      if (r.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`code-server did not answer ${url} in ${timeoutMs} ms:\n${serverOut}`);
}

// The extension's own output channel, as the extension host logged it (for failure messages).
function extensionLogs(): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (/apirec|exthost/i.test(e.name)) {
        out.push(`--- ${path.relative(run, p)}\n${fs.readFileSync(p, 'utf8').slice(-4000)}`);
      }
    }
  };
  walk(path.join(dirs.userData, 'logs'));
  return out.join('\n');
}

interface Row {
  index: number;
  label: string;
  aria: string;
}

async function suggestLabels(page: Page): Promise<Row[]> {
  return page.$$eval('.suggest-widget.visible .monaco-list-row', (rows) =>
    rows
      .map((r) => ({
        index: Number(r.getAttribute('data-index')),
        label: r.querySelector('.label-name')?.textContent?.trim() ?? '',
        aria: r.getAttribute('aria-label') ?? '',
      }))
      .sort((a, b) => a.index - b.index),
  );
}

test('code-server: completion after `json.` shows apirec\'s first API first', { timeout: 900_000 }, async () => {
  // Workspace and settings.
  fs.mkdirSync(dirs.ws, { recursive: true });
  fs.writeFileSync(path.join(dirs.ws, 'demo.py'), SOURCE);
  writeJson(path.join(dirs.ws, '.vscode', 'settings.json'), { 'apirec.interpreter': [PYTHON] });
  writeJson(path.join(dirs.userData, 'User', 'settings.json'), {
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'chat.commandCenter.enabled': false,
    'extensions.ignoreRecommendations': true,
    'extensions.autoCheckUpdates': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'editor.minimap.enabled': false,
    'window.commandCenter': false,
  });

  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

  // Install the VSIX the way a user does.
  const inst = spawnSync(NODE, [ENTRY, ...common, '--install-extension', VSIX], {
    env: codeServerEnv(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  log(`install-extension: ${(inst.stdout + inst.stderr).trim().split('\n').slice(-1)[0]}`);
  assert.equal(inst.status, 0, `code-server --install-extension failed:\n${inst.stdout}\n${inst.stderr}`);
  const installed = fs.readdirSync(dirs.extensions).filter((d) => d.startsWith('apirec.apirec-'));
  assert.equal(installed.length, 1, `extension folder missing in ${dirs.extensions}: ${fs.readdirSync(dirs.extensions)}`);

  // Start code-server.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(
    NODE,
    [
      ENTRY,
      ...common,
      '--config', path.join(run, 'config.yaml'),
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ],
    { env: codeServerEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server = proc;
  proc.stdout.on('data', (d) => (serverOut += d));
  proc.stderr.on('data', (d) => (serverOut += d));
  await waitForHttp(proc, `${url}/healthz`, 60_000);
  log(`code-server listening on ${url}`);

  // Its XDG folders too: Chromium writes `Crash Reports` under XDG_CONFIG_HOME whatever its profile.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, env: codeServerEnv() });
  const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));

  try {
    await page.goto(`${url}/?folder=${encodeURIComponent(dirs.ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    log('workbench loaded');

    // Open demo.py with Quick Open.
    const editor = page.locator('.editor-instance .monaco-editor').first();
    for (let attempt = 0; ; attempt++) {
      await page.locator('.monaco-workbench').click({ position: { x: 640, y: 300 } });
      await page.keyboard.press('Control+P');
      try {
        await page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
        await page.keyboard.type('demo.py');
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'demo.py' }).first().waitFor({ timeout: 20_000 });
        await page.keyboard.press('Enter');
        await editor.locator('.view-lines', { hasText: 'import json' }).waitFor({ timeout: 20_000 });
        break;
      } catch (e) {
        if (attempt >= 3) {
          throw e;
        }
        await page.keyboard.press('Escape');
      }
    }
    log('demo.py open');

    // The extension's status-bar item shows `$(check) apirec` once the server's indexes are ready.
    const status = page.locator('.statusbar-item', { hasText: 'apirec' });
    await status.locator('.codicon-check').first().waitFor({ timeout: READY_TIMEOUT_MS });
    log(`server ready: status bar "${(await status.first().innerText()).trim()}"`);

    // Type `json.` at the end of the file: `.` is the server's trigger character.
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(TYPED, { delay: 80 });
    const firstRow = page.locator('.suggest-widget.visible .monaco-list-row[data-index="0"]');
    for (let attempt = 0; ; attempt++) {
      try {
        await firstRow.waitFor({ timeout: 30_000 });
        break;
      } catch (e) {
        if (attempt >= 4) {
          throw e;
        }
        log('no suggest widget yet: Ctrl+Space');
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+Space');
      }
    }
    let rows = await suggestLabels(page);
    log(`suggest widget: ${rows.map((r) => r.label).join(', ')}`);

    // Show the details pane (the docs from completionItem/resolve) for the screenshot; not asserted.
    const details = page.locator('.suggest-details-container .suggest-details .docs');
    if (!(await details.isVisible())) {
      await page.keyboard.press('Control+Space');
    }
    await details.waitFor({ timeout: 10_000 }).catch(() => log('no details pane'));
    await page.waitForTimeout(500);
    rows = await suggestLabels(page);

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    log(`screenshot: ${path.relative(EXT_DIR, SCREENSHOT)}`);

    assert.ok(rows.length >= 3, `suggest widget has ${rows.length} rows: ${JSON.stringify(rows)}`);
    assert.equal(rows[0].label, EXPECT, `first suggestion after \`${TYPED}\`: ${JSON.stringify(rows.slice(0, 5))}`);
    for (const api of ['loads', 'load', 'dump']) {
      assert.ok(rows.some((r) => r.label === api), `${api} missing from the suggest widget: ${JSON.stringify(rows)}`);
    }
    log(`first suggestion: ${rows[0].label} (${rows[0].aria})`);
  } catch (e) {
    const failShot = path.join(EXT_DIR, 'out', 'e2e', 'e2e-failure.png');
    fs.mkdirSync(path.dirname(failShot), { recursive: true });
    await page.screenshot({ path: failShot }).catch(() => undefined);
    console.error(`failure screenshot: ${failShot}`);
    console.error(`code-server output:\n${serverOut.slice(-4000)}`);
    console.error(`browser console errors:\n${consoleErrors.slice(-20).join('\n')}`);
    console.error(`extension host logs:\n${extensionLogs()}`);
    throw e;
  }
});
