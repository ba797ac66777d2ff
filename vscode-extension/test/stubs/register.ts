/**
 * `node --require out/test/stubs/register.js`: `import 'vscode'` resolves to the stub; so does
 * `vscode-languageclient/node` unless APIREC_REAL_LANGUAGECLIENT=1 (the protocol test needs neither).
 */
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require('module');

const stubs: Record<string, string> = { vscode: path.join(__dirname, 'vscode.js') };
if (process.env.APIREC_REAL_LANGUAGECLIENT !== '1') {
  stubs['vscode-languageclient/node'] = path.join(__dirname, 'languageclient.js');
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const M = Module as any;
const original = M._resolveFilename;
M._resolveFilename = function (request: string, ...rest: unknown[]) {
  return stubs[request] ?? original.call(this, request, ...rest);
};
