/* eslint-disable @typescript-eslint/no-explicit-any */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as vscode from 'vscode';
import { ServerManager } from '../../src/extension';
import { StatusBar } from '../../src/status';
import {
  hasImport, importLineFor, insertionFor, moduleOf, normalizeHits, quickPickItem, searchArgs, searchRequest,
} from '../../src/search';
import { LanguageClient } from '../stubs/languageclient';
import * as stub from '../stubs/vscode';

describe('search', () => {
  test('request: workspace/executeCommand apirec.search with query, k and the editor position', () => {
    const editor: any = { document: { uri: vscode.Uri.file('/p/a.py') }, selection: { active: new vscode.Position(3, 4) } };
    assert.deepEqual(searchRequest(searchArgs('  parse a json string ', editor)), {
      command: 'apirec.search',
      arguments: [{ query: 'parse a json string', k: 20, textDocument: { uri: 'file:///p/a.py' }, position: { line: 3, character: 4 } }],
    });
  });

  test('hits: {hits: [...]} or a list', () => {
    const h = { public_path: 'json.loads' };
    assert.deepEqual(normalizeHits({ hits: [h, { nope: 1 }] }), [h]);
    assert.deepEqual(normalizeHits([h]), [h]);
    assert.deepEqual(normalizeHits(null), []);
  });

  test('module of a hit', () => {
    assert.equal(moduleOf({ public_path: 'json.loads', kind: 'function' }), 'json');
    assert.equal(moduleOf({ public_path: 'os.path', kind: 'module' }), 'os.path');
    assert.equal(moduleOf({ public_path: 'json.JSONDecoder.decode', kind: 'method' }), 'json');
    assert.equal(moduleOf({ public_path: 'xml.etree.ElementTree.parse', kind: 'function' }), 'xml.etree.ElementTree');
  });

  test('import line: after the leading imports, the docstring, the comments', () => {
    assert.equal(importLineFor('import os\nimport sys\n\nx = 1\n'), 2);
    assert.equal(importLineFor('"""Doc\nstring."""\nx = 1\n'), 2);
    assert.equal(importLineFor('#!/usr/bin/env python\n"""One line."""\n'), 2);
    assert.equal(importLineFor('from a import (\n  b,\n)\nx = 1'), 3);
    assert.equal(importLineFor(''), 0);
    assert.ok(hasImport('import os, json\n', 'json'));
    assert.ok(!hasImport('import jsonschema\n', 'json'));
  });

  test('insertion: the server text when given, else the call and its import', () => {
    assert.deepEqual(insertionFor({ public_path: 'json.loads', kind: 'function' }, 'import os\n\nx = 1\n'), {
      snippet: 'json.loads($0)', importText: 'import json', importLine: 1,
    });
    assert.deepEqual(insertionFor({ public_path: 'json.loads', kind: 'function' }, 'import json\n'), {
      snippet: 'json.loads($0)', importText: undefined, importLine: 1,
    });
    assert.deepEqual(insertionFor({ public_path: 'builtins.open', kind: 'function' }, ''), { snippet: 'open($0)', importLine: 0 });
    assert.deepEqual(
      insertionFor({ public_path: 'json.loads', insert_text: 'loads(${1:s})', import: 'from json import loads', import_line: 0 }, ''),
      { snippet: 'loads(${1:s})', importText: 'from json import loads', importLine: 0 },
    );
  });

  test('quick pick items show signature and summary and are never filtered away', () => {
    const it = quickPickItem({ public_path: 'json.loads', kind: 'function', signature: '(s, *, cls=None)', summary: 'Deserialize s.\nMore.', origin: 'stdlib', version: '3.11' });
    assert.equal(it.label, '$(symbol-function) json.loads');
    assert.equal(it.description, '(s, *, cls=None)');
    assert.equal(it.detail, 'Deserialize s.  (stdlib 3.11)');
    assert.equal(it.alwaysShow, true);
  });

  test('the quick pick queries the server and inserts the choice with its import', async () => {
    stub.resetStub();
    const edits: any[] = [];
    const snippets: any[] = [];
    const editor: any = {
      document: { uri: vscode.Uri.file('/p/a.py'), getText: () => 'import os\n\nx = 1\n', lineCount: 4, eol: 1, isClosed: false },
      selection: { active: new vscode.Position(2, 4) },
      edit: async (f: any) => { f({ insert: (at: any, text: string) => edits.push([at.line, text]) }); return true; },
      insertSnippet: async (s: any) => { snippets.push(s.value); return true; },
    };
    stub.window.activeTextEditor = editor;
    let qp: any;
    (stub.window as any).createQuickPick = () => {
      const changed = new stub.EventEmitter<string>();
      const accepted = new stub.EventEmitter<void>();
      const hidden = new stub.EventEmitter<void>();
      qp = {
        items: [], selectedItems: [], value: '', busy: false,
        onDidChangeValue: changed.event, onDidAccept: accepted.event, onDidHide: hidden.event,
        show() {}, hide() { hidden.fire(); }, dispose() {},
        type: (v: string) => { qp.value = v; changed.fire(v); }, accept: () => accepted.fire(),
      };
      return qp;
    };
    const manager = new ServerManager((stub.window as any).createOutputChannel('t'), new StatusBar());
    const client: any = new LanguageClient('apirec', 'apirec', {}, {});
    await client.start();
    client.initializeResult.capabilities.executeCommandProvider.commands.push('apirec.search');
    client.answers['apirec.search'] = (args: any) => ({
      hits: args.query.includes('json') ? [{ public_path: 'json.loads', kind: 'function', signature: '(s)', summary: 'Deserialize' }] : [],
    });
    manager.client = client;
    const done = manager.search();
    qp.type('parse a json string');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(qp.items.length, 1);
    qp.selectedItems = [qp.items[0]];
    qp.accept();
    await done;
    assert.deepEqual(client.requests.at(-1).params.arguments[0].query, 'parse a json string');
    assert.deepEqual(edits, [[1, 'import json\n']]);
    assert.deepEqual(snippets, ['json.loads($0)']);
  });
});
