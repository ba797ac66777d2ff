/* eslint-disable @typescript-eslint/no-explicit-any */
/** package.json against the code, and the settings against the server's lsp/options.py. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { readServerSettings } from '../../src/config';
import { COMMANDS } from '../../src/extension';
import { resetStub } from '../stubs/vscode';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const props: Record<string, any> = pkg.contributes.configuration.properties;

function flatten(o: Record<string, unknown>, prefix = 'apirec.'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    } else {
      out[prefix + k] = v;
    }
  }
  return out;
}

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

describe('manifest', () => {
  test('contributed commands are the registered ones, titled "apirec: ..."', () => {
    const ids = pkg.contributes.commands.map((c: any) => c.command).sort();
    assert.deepEqual(ids, Object.values(COMMANDS).sort());
    assert.deepEqual(pkg.contributes.commands.map((c: any) => `${c.category}: ${c.title}`).sort(), [
      'apirec: Reindex workspace', 'apirec: Restart server', 'apirec: Search APIs', 'apirec: Show output',
    ]);
    assert.ok(pkg.activationEvents.includes('onLanguage:python'));
    assert.equal(pkg.main, './dist/extension.js');
    assert.ok(props['apirec.trace.server']);
  });

  test('every server setting is contributed with the code default', () => {
    resetStub();
    const defaults = flatten(readServerSettings() as any);
    for (const [key, value] of Object.entries(defaults)) {
      assert.ok(props[key], `package.json lacks ${key}`);
      assert.deepEqual(props[key].default, value, key);
    }
  });

  test('the server settings mirror lsp/options.py (names and defaults)', (t) => {
    const optionsPy = path.resolve(root, '..', 'lsp', 'options.py');
    if (!fs.existsSync(optionsPy)) {
      t.skip('lsp/options.py not found');
      return;
    }
    const src = fs.readFileSync(optionsPy, 'utf8');
    const classes: Record<string, Record<string, string>> = {};
    for (const m of src.matchAll(/@dataclass\nclass (\w+):\n((?:(?: {4}.*)?\n)+)/g)) {
      const fields: Record<string, string> = {};
      for (const f of m[2].matchAll(/^ {4}(\w+): [^=\n]+= ([^#\n]+)/gm)) {
        fields[f[1]] = f[2].trim();
      }
      classes[m[1]] = fields;
    }
    const py: Record<string, string> = {};
    for (const [name, dflt] of Object.entries(classes.Options)) {
      const sub = /default_factory=(\w+)\)/.exec(dflt)?.[1];
      if (sub && classes[sub]) {
        for (const [n2, d2] of Object.entries(classes[sub])) {
          py[`${name}.${n2}`] = d2;
        }
      } else {
        py[name] = dflt;
      }
    }
    for (const [k, v] of Object.entries(py)) {
      if (/^-?\d+(\.\d+)?$/.test(v)) {
        py[k] = String(Number(v)); // Python's 10.0 is JSON's 10
      }
    }
    resetStub();
    const ours = flatten(readServerSettings() as any, '');
    const toPy = (v: unknown) =>
      Array.isArray(v) ? 'field(default_factory=list)' : typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'string' ? '""' : String(v);
    const mirrored = Object.fromEntries(Object.entries(ours).map(([k, v]) => [k.split('.').map(snake).join('.'), toPy(v)]));
    assert.deepEqual(mirrored, py);
  });
});
