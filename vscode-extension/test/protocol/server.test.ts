/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Protocol test: spawns the real apirec server with the command the extension computes
 * (src/config.ts under the vscode stub) and talks LSP to it over stdio.
 *
 * APIREC_TEST_PYTHON picks the interpreter (as the `apirec.interpreter` setting would), else the
 * extension's default `python3`; APIREC_HOME is inherited (set it to reuse a built default index).
 */
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createProtocolConnection,
  ProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { pathToFileURL } from 'node:url';
import { configurationAnswer, readLaunchSettings, readServerSettings, serverCommand } from '../../src/config';
import { SEARCH_COMMAND, STATUS_COMMAND, StatusResult } from '../../src/protocol';
import { normalizeHits, searchArgs, searchRequest } from '../../src/search';
import * as stub from '../stubs/vscode';

const READY_TIMEOUT_MS = Number(process.env.APIREC_TEST_READY_TIMEOUT_MS ?? 600_000);

let proc: ChildProcess;
let conn: ProtocolConnection;
let stderr = '';
const shown: string[] = [];
const logs: string[] = [];
const progress: any[] = [];
let configAsked = 0;
let initResult: any;
let workspace: string;

const ws = () => pathToFileURL(workspace).toString();

before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'apirec-vscode-'));
  fs.writeFileSync(path.join(workspace, 'shapes.py'), 'def make_circle(radius):\n    """Make a circle shape."""\n');
  stub.resetStub();
  if (process.env.APIREC_TEST_PYTHON) {
    stub.settings['apirec.interpreter'] = [process.env.APIREC_TEST_PYTHON];
  }
  stub.settings['apirec.maxCompletions'] = 40;
  stub.settings['apirec.ignoreGlobs'] = ['**/generated/**'];
  stub.settings['apirec.features.workspaceIndex'] = process.env.APIREC_TEST_WORKSPACE_INDEX !== '0';
  stub.workspace.workspaceFolders = [{ uri: stub.Uri.file(workspace), name: 'ws', index: 0 }];

  const cmd = serverCommand(readLaunchSettings(), undefined, process.env, workspace);
  proc = spawn(cmd.command, cmd.args, { env: cmd.env, cwd: cmd.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  proc.stderr!.on('data', (d) => (stderr += d));
  conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  conn.onRequest('workspace/configuration', (params: any) => {
    configAsked++;
    return configurationAnswer(params.items);
  });
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('client/registerCapability', () => null);
  conn.onNotification('window/showMessage', (p: any) => shown.push(p.message));
  conn.onNotification('window/logMessage', (p: any) => logs.push(p.message));
  conn.onNotification('$/progress', (p: any) => progress.push(p.value));
  conn.onNotification('textDocument/publishDiagnostics', () => undefined);
  conn.listen();
  initResult = await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: ws(),
    workspaceFolders: [{ uri: ws(), name: 'ws' }],
    initializationOptions: readServerSettings(),
    capabilities: {
      workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } },
      window: { workDoneProgress: true },
      textDocument: { completion: { completionItem: { snippetSupport: true } } },
    },
  });
  await conn.sendNotification('initialized', {});
});

after(async () => {
  try {
    await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
    await conn.sendNotification('exit');
  } catch {
    // already gone
  }
  await new Promise((r) => setTimeout(r, 300));
  if (proc.exitCode === null) {
    proc.kill();
  }
  conn.dispose();
  fs.rmSync(workspace, { recursive: true, force: true });
});

async function status(): Promise<StatusResult> {
  return (await conn.sendRequest('workspace/executeCommand', { command: STATUS_COMMAND, arguments: [] })) as StatusResult;
}

async function waitReady(): Promise<StatusResult> {
  const t0 = Date.now();
  for (;;) {
    const st = await status();
    if (st.ready) {
      return st;
    }
    const errors = Object.entries(st.indexes).filter(([, s]) => s.startsWith('error'));
    assert.deepEqual(errors, [], 'an index failed to load');
    assert.ok(Date.now() - t0 < READY_TIMEOUT_MS, `indexes not ready in time: ${JSON.stringify(st.indexes)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('apirec server, launched as the extension launches it', () => {
  test('initialize: completion on ".", the status command', () => {
    const caps = initResult.capabilities;
    assert.equal(initResult.serverInfo?.name, 'apirec');
    assert.ok(caps.completionProvider?.triggerCharacters?.includes('.'));
    assert.ok(caps.executeCommandProvider?.commands?.includes(STATUS_COMMAND));
  });

  test('settings arrive through initializationOptions and workspace/configuration, none rejected', async () => {
    const st = await waitReady();
    assert.ok(configAsked >= 1, 'the server pulled workspace/configuration');
    assert.equal((st.options as any).max_completions, 40);
    assert.deepEqual((st.options as any).ignore_globs, ['**/generated/**']);
    assert.deepEqual(shown.filter((m) => /setting/.test(m)), [], 'the server warned about a setting');
  });

  test('completion after "json." has loads among the top items', async () => {
    await waitReady();
    const uri = pathToFileURL(path.join(workspace, 'main.py')).toString();
    const text = 'import json\n\ndata = json.';
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const res: any = await conn.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: { line: 2, character: 12 },
      context: { triggerKind: 2, triggerCharacter: '.' },
    });
    const items: any[] = Array.isArray(res) ? res : res.items;
    const top = [...items]
      .sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label))
      .slice(0, 5)
      .map((i) => i.label);
    assert.ok(top.includes('loads'), `top items: ${top.join(', ')}`);
  });

  test('search: the request the quick pick sends', async (t) => {
    const commands: string[] = initResult.capabilities.executeCommandProvider?.commands ?? [];
    if (!commands.includes(SEARCH_COMMAND)) {
      t.skip(`the server does not offer ${SEARCH_COMMAND} yet (workspace/executeCommand)`);
      return;
    }
    await waitReady();
    const editor: any = {
      document: { uri: stub.Uri.file(path.join(workspace, 'main.py')) },
      selection: { active: { line: 2, character: 0 } },
    };
    const res = await conn.sendRequest('workspace/executeCommand', searchRequest(searchArgs('parse a json string', editor)));
    const hits = normalizeHits(res);
    assert.ok(hits.length > 0, 'no hits');
    const top = hits.slice(0, 3).map((h) => h.public_path);
    assert.ok(top.includes('json.loads'), `top hits: ${top.join(', ')}`);
  });

  test('workspace indexing reports $/progress begin ... end (the status bar reads it)', async (t) => {
    if (process.env.APIREC_TEST_WORKSPACE_INDEX === '0') {
      t.skip('APIREC_TEST_WORKSPACE_INDEX=0');
      return;
    }
    await waitReady();
    const kinds = progress.map((p) => p.kind);
    assert.equal(kinds[0], 'begin');
    assert.equal(kinds.at(-1), 'end');
    assert.ok(logs.some((m) => m.startsWith('apirec:')), 'window/logMessage from the server');
  });
});
