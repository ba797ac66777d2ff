/* eslint-disable @typescript-eslint/no-explicit-any */
/** Unit tests: the extension under the `vscode` and `vscode-languageclient` stubs (test/stubs). */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import * as vscode from 'vscode';
import * as ext from '../../src/extension';
import { configurationAnswer, readServerSettings, serverCommand } from '../../src/config';
import { LanguageClient } from '../stubs/languageclient';
import * as stub from '../stubs/vscode';

const context = () => ({ subscriptions: [] as { dispose(): unknown }[] }) as any;
const last = () => LanguageClient.instances[LanguageClient.instances.length - 1];
const flush = () => new Promise((r) => setTimeout(r, 10));

function pythonExtension(exe: string) {
  const changed = new stub.EventEmitter<unknown>();
  return {
    changed,
    ext: {
      isActive: true,
      exports: {
        environments: {
          getActiveEnvironmentPath: () => ({ id: 'env', path: exe }),
          resolveEnvironment: async () => ({ executable: { uri: vscode.Uri.file(exe) } }),
          onDidChangeActiveEnvironmentPath: changed.event,
        },
      },
    },
  };
}

let ctx: any;
beforeEach(() => {
  stub.resetStub();
  LanguageClient.instances.length = 0;
  ctx = context();
});
afterEach(async () => {
  await ext.deactivate();
  ctx.subscriptions.forEach((d: any) => d.dispose());
});

describe('server command', () => {
  test('defaults to python3 -m apirec.lsp with the workspace as cwd', async () => {
    stub.workspace.workspaceFolders = [{ uri: vscode.Uri.file('/proj'), name: 'proj', index: 0 }];
    await ext.activate(ctx);
    const c = last();
    assert.equal(c.id, 'apirec');
    assert.equal(c.serverOptions.command, 'python3');
    assert.deepEqual(c.serverOptions.args, ['-m', 'apirec.lsp']);
    assert.equal(c.serverOptions.transport, 0 /* stdio */);
    assert.equal(c.serverOptions.options.cwd, '/proj');
    assert.equal(c.serverOptions.options.env.PYTHONUNBUFFERED, '1');
    assert.equal(c.serverOptions.options.env.PATH, process.env.PATH);
    assert.equal('APIREC_HOME' in c.serverOptions.options.env, 'APIREC_HOME' in process.env);
  });

  test('apirec.interpreter wins over the Python extension; home and verbose reach the command', async () => {
    stub.settings['apirec.interpreter'] = ['/opt/conda/bin/conda', 'run', '-n', 'x', 'python'];
    stub.settings['apirec.home'] = '/data/apirec';
    stub.settings['apirec.server.verbose'] = true;
    stub.extensionsById['ms-python.python'] = pythonExtension('/venv/bin/python').ext;
    await ext.activate(ctx);
    const c = last();
    assert.equal(c.serverOptions.command, '/opt/conda/bin/conda');
    assert.deepEqual(c.serverOptions.args, ['run', '-n', 'x', 'python', '-m', 'apirec.lsp', '-v']);
    assert.equal(c.serverOptions.options.env.APIREC_HOME, '/data/apirec');
  });

  test("the Python extension's active interpreter when the setting is empty", async () => {
    stub.extensionsById['ms-python.python'] = pythonExtension('/venv/bin/python').ext;
    const { manager } = await ext.activate(ctx);
    assert.equal(last().serverOptions.command, path('/venv/bin/python'));
    assert.equal(manager.command?.source, 'python extension');
  });

  test('the older Python extension API (settings.getExecutionDetails)', async () => {
    stub.extensionsById['ms-python.python'] = {
      isActive: true,
      exports: { settings: { getExecutionDetails: () => ({ execCommand: ['/old/python'] }), onDidChangeExecutionDetails: new stub.EventEmitter().event } },
    };
    await ext.activate(ctx);
    assert.equal(last().serverOptions.command, '/old/python');
  });

  test('a broken Python extension falls back to python3', async () => {
    stub.extensionsById['ms-python.python'] = { isActive: false, activate: async () => { throw new Error('boom'); } };
    await ext.activate(ctx);
    assert.equal(last().serverOptions.command, 'python3');
  });

  test('serverCommand is pure', () => {
    const c = serverCommand({ interpreter: [], home: '', verbose: false }, undefined, { A: '1' }, '/w');
    assert.deepEqual(c, {
      command: 'python3', args: ['-m', 'apirec.lsp'], cwd: '/w', source: 'default',
      env: { A: '1', PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
    });
  });
});

function path(p: string) {
  return vscode.Uri.file(p).fsPath;
}

describe('settings', () => {
  test('defaults mirror lsp/options.py', () => {
    assert.deepEqual(readServerSettings(), {
      indexPaths: [], extraPackages: [], ignoreGlobs: [], maxCompletions: 50,
      llm: { baseUrl: '', model: '', timeout: 10, maxTokens: 256, apis: 5 },
      features: {
        diagnostics: true, nlComments: true, hover: true, signatureHelp: true, workspaceIndex: true,
        inlineCompletion: true,
      },
    });
  });

  test('initializationOptions and workspace/configuration carry only the server settings', async () => {
    Object.assign(stub.settings, {
      'apirec.interpreter': ['/py'], 'apirec.trace.server': 'verbose',
      'apirec.indexPaths': ['/idx'], 'apirec.extraPackages': ['pkg:requests'], 'apirec.ignoreGlobs': ['**/gen/**'],
      'apirec.maxCompletions': 7, 'apirec.llm.baseUrl': 'http://localhost:8080', 'apirec.llm.model': 'm',
      'apirec.features.hover': false, 'apirec.features.nlComments': false,
      'apirec.llm.timeout': 2.5, 'apirec.llm.maxTokens': -3, 'apirec.features.inlineCompletion': false,
    });
    await ext.activate(ctx);
    const opts = last().clientOptions;
    const want = {
      indexPaths: ['/idx'], extraPackages: ['pkg:requests'], ignoreGlobs: ['**/gen/**'], maxCompletions: 7,
      llm: { baseUrl: 'http://localhost:8080', model: 'm', timeout: 2.5, maxTokens: 256, apis: 5 },
      features: {
        diagnostics: true, nlComments: false, hover: false, signatureHelp: true, workspaceIndex: true,
        inlineCompletion: false,
      },
    };
    assert.deepEqual(opts.initializationOptions, want);
    assert.deepEqual(opts.documentSelector.map((s: any) => s.language), ['python', 'python']);
    const conf = opts.middleware.workspace.configuration;
    assert.deepEqual(await conf({ items: [{ section: 'apirec' }] }, undefined, () => assert.fail('next called')), [want]);
    const mixed = await conf({ items: [{ section: 'python' }, { section: 'apirec' }] }, undefined, async () => ['py', 'theirs']);
    assert.deepEqual(mixed, ['py', want]);
  });

  test('wrong types fall back to defaults', () => {
    Object.assign(stub.settings, { 'apirec.indexPaths': 'one', 'apirec.maxCompletions': 2.5, 'apirec.features.hover': 'no' });
    const s = readServerSettings();
    assert.deepEqual(s.indexPaths, ['one']);
    assert.equal(s.maxCompletions, 50);
    assert.equal(s.features.hover, true);
    assert.deepEqual(configurationAnswer([{ section: 'other' }]), [null]);
  });
});

describe('lifecycle', () => {
  test('commands are registered, with ids distinct from the server commands', async () => {
    await ext.activate(ctx);
    for (const id of ['apirec.searchApis', 'apirec.reindexWorkspace', 'apirec.restartServer', 'apirec.showOutput']) {
      assert.ok(stub.registeredCommands[id], id);
    }
    assert.ok(!stub.registeredCommands['apirec.search'] && !stub.registeredCommands['apirec.status']);
  });

  test('an interpreter setting change restarts with the new command; other changes are sent', async () => {
    await ext.activate(ctx);
    const first = last();
    stub.settings['apirec.interpreter'] = ['/new/python'];
    await Promise.all(stub.configEvents.fire(stub.changeEvent('apirec.interpreter')));
    assert.equal(LanguageClient.instances.length, 2);
    assert.equal(first.isRunning(), false);
    assert.equal(last().serverOptions.command, '/new/python');

    stub.settings['apirec.maxCompletions'] = 9;
    await Promise.all(stub.configEvents.fire(stub.changeEvent('apirec.maxCompletions')));
    assert.equal(LanguageClient.instances.length, 2, 'no restart for a server setting');
    const n = last().notifications.at(-1);
    assert.equal(n?.method, 'workspace/didChangeConfiguration');
    assert.equal(n?.params.settings.maxCompletions, 9);
  });

  test('a Python interpreter change restarts the server', async () => {
    const py = pythonExtension('/venv/bin/python');
    stub.extensionsById['ms-python.python'] = py.ext;
    await ext.activate(ctx);
    py.ext.exports.environments.getActiveEnvironmentPath = () => ({ id: 'b', path: '/venv2/bin/python' });
    py.ext.exports.environments.resolveEnvironment = async () => ({ executable: { uri: vscode.Uri.file('/venv2/bin/python') } });
    py.changed.fire({});
    await flush();
    assert.equal(LanguageClient.instances.length, 2);
    assert.equal(last().serverOptions.command, path('/venv2/bin/python'));
  });

  test('the restart command restarts; reindex falls back to a restart without apirec.reindex', async () => {
    await ext.activate(ctx);
    await stub.registeredCommands['apirec.restartServer']();
    assert.equal(LanguageClient.instances.length, 2);
    await stub.registeredCommands['apirec.reindexWorkspace']();
    assert.equal(LanguageClient.instances.length, 3);
  });

  test('reindex uses apirec.reindex when the server offers it', async () => {
    await ext.activate(ctx);
    const c = last();
    c.initializeResult.capabilities.executeCommandProvider.commands.push('apirec.reindex');
    c.answers['apirec.reindex'] = null;
    await stub.registeredCommands['apirec.reindexWorkspace']();
    assert.equal(LanguageClient.instances.length, 1);
    assert.ok(c.requests.some((r) => r.params.command === 'apirec.reindex'));
  });

  test('a server that does not start: error message and status bar', async () => {
    LanguageClient.failNextStart = new Error('spawn python3 ENOENT');
    await ext.activate(ctx);
    assert.match(stub.messages[0].text, /did not start with "python3"/);
    assert.match(stub.statusItems[0].text, /not running/);
  });

  test('status bar follows apirec.status and progress', async () => {
    const { manager } = await ext.activate(ctx);
    await flush();
    assert.equal(stub.statusItems[0].text, '$(check) apirec');
    manager.status.setProgress({ title: 'apirec: indexing workspace', percentage: 40 });
    assert.equal(stub.statusItems[0].text, '$(sync~spin) apirec: indexing 40%');
    manager.status.setProgress(undefined);
    manager.status.setIndexes({ default: 'loading' }, false);
    assert.equal(stub.statusItems[0].text, '$(sync~spin) apirec: loading index');
    assert.ok(last().requestHandlers['window/workDoneProgress/create'], 'progress is routed to the status bar');
  });

  test('search without server support says so', async () => {
    await ext.activate(ctx);
    await stub.registeredCommands['apirec.searchApis']();
    assert.match(stub.messages[0].text, /does not offer "apirec.search"/);
  });
});
