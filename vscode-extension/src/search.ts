/** "apirec: Search APIs": a quick pick fed by the server's `apirec.search` command. */
import * as vscode from 'vscode';
import { SEARCH_COMMAND, SearchArgs, SearchHit } from './protocol';

export const SEARCH_K = 20;

export function searchArgs(query: string, editor?: Pick<vscode.TextEditor, 'document' | 'selection'>): SearchArgs {
  const args: SearchArgs = { query: query.trim(), k: SEARCH_K };
  if (editor) {
    args.textDocument = { uri: editor.document.uri.toString() };
    args.position = { line: editor.selection.active.line, character: editor.selection.active.character };
  }
  return args;
}

/** `workspace/executeCommand` params for a search. */
export function searchRequest(args: SearchArgs): { command: string; arguments: [SearchArgs] } {
  return { command: SEARCH_COMMAND, arguments: [args] };
}

/** The hits of a search result: `{hits: [...]}` or a bare list; anything else is no hits. */
export function normalizeHits(result: unknown): SearchHit[] {
  const list = Array.isArray(result)
    ? result
    : result && typeof result === 'object' && Array.isArray((result as { hits?: unknown }).hits)
      ? (result as { hits: unknown[] }).hits
      : [];
  return list.filter(
    (h): h is SearchHit => !!h && typeof h === 'object' && typeof (h as SearchHit).public_path === 'string',
  );
}

const MEMBER_KINDS = new Set(['method', 'property', 'attribute']);
const CALLABLE_KINDS = new Set(['function', 'class', 'method', 'constructor']);

/** The module a hit lives in, from its public path and kind (`json.JSONDecoder.decode` -> `json`). */
export function moduleOf(hit: SearchHit): string {
  const parts = hit.public_path.split('.');
  if (hit.kind === 'module') {
    return hit.public_path;
  }
  const drop = MEMBER_KINDS.has(hit.kind ?? '') && parts.length > 2 ? 2 : 1;
  return parts.slice(0, Math.max(1, parts.length - drop)).join('.');
}

/** Line where a new import goes: after the leading imports, else after the docstring and comments. */
export function importLineFor(text: string): number {
  const lines = text.split(/\r?\n/);
  let i = 0;
  let afterHeader = 0; // after the last comment or docstring line of the header
  while (i < lines.length && (lines[i].trim() === '' || lines[i].startsWith('#'))) {
    if (lines[i].startsWith('#')) {
      afterHeader = i + 1;
    }
    i++;
  }
  const quote = lines[i]?.trimStart().match(/^[rRuUbB]?("""|''')/)?.[1];
  if (quote) {
    const rest = lines[i].trimStart().slice(lines[i].trimStart().indexOf(quote) + 3);
    if (!rest.includes(quote)) {
      i++;
      while (i < lines.length && !lines[i].includes(quote)) {
        i++;
      }
    }
    i++;
    afterHeader = i;
  }
  let last = -1;
  for (; i < lines.length; i++) {
    const l = lines[i];
    if (/^(import|from)\s/.test(l)) {
      last = i;
      while (l.includes('(') && !lines[i].includes(')') && i + 1 < lines.length) {
        i++; // a parenthesized multi-line import
      }
      last = i;
    } else if (l.trim() === '' || l.startsWith('#')) {
      continue;
    } else {
      break;
    }
  }
  return last >= 0 ? last + 1 : Math.min(afterHeader, lines.length);
}

export function hasImport(text: string, module: string): boolean {
  const esc = module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\s*import\\s+(?:[\\w.]+\\s*,\\s*)*${esc}\\s*(?:,|$|#)`, 'm').test(text);
}

export interface Insertion {
  snippet: string;
  importText?: string;
  importLine: number;
}

/** What choosing a hit inserts: the server's call and import when it sends them, else our own. */
export function insertionFor(hit: SearchHit, documentText: string): Insertion {
  const importLine = hit.import_line ?? importLineFor(documentText);
  if (hit.insert_text !== undefined) {
    const imp = hit.import ?? undefined;
    return { snippet: hit.insert_text, importText: imp && !documentText.includes(imp) ? imp : undefined, importLine };
  }
  const module = moduleOf(hit);
  const escaped = (s: string) => s.replace(/[$}\\]/g, '\\$&');
  if (module === 'builtins') {
    const name = hit.public_path.slice('builtins.'.length);
    return { snippet: escaped(name) + (CALLABLE_KINDS.has(hit.kind ?? '') ? '($0)' : ''), importLine };
  }
  const snippet = escaped(hit.public_path) + (CALLABLE_KINDS.has(hit.kind ?? '') ? '($0)' : '');
  const importText = hasImport(documentText, module) ? undefined : `import ${module}`;
  return { snippet, importText, importLine };
}

export async function insertHit(editor: vscode.TextEditor, hit: SearchHit): Promise<void> {
  const ins = insertionFor(hit, editor.document.getText());
  if (ins.importText) {
    const at = new vscode.Position(Math.min(ins.importLine, editor.document.lineCount), 0);
    const eol = editor.document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const atEnd = at.line >= editor.document.lineCount;
    await editor.edit((b) => b.insert(at, (atEnd ? eol : '') + ins.importText + eol));
  }
  await editor.insertSnippet(new vscode.SnippetString(ins.snippet), editor.selection.active);
}

const ICONS: Record<string, string> = {
  module: 'symbol-module',
  class: 'symbol-class',
  function: 'symbol-function',
  method: 'symbol-method',
  property: 'symbol-property',
  attribute: 'symbol-field',
  constant: 'symbol-constant',
  constructor: 'symbol-constructor',
};

export interface HitItem extends vscode.QuickPickItem {
  hit: SearchHit;
}

export function quickPickItem(hit: SearchHit): HitItem {
  const summary = (hit.summary || hit.doc || '').split('\n')[0];
  const origin = [hit.origin, hit.version].filter(Boolean).join(' ');
  return {
    label: `$(${ICONS[hit.kind ?? ''] ?? 'symbol-misc'}) ${hit.public_path}`,
    description: hit.kind === 'module' ? '' : hit.signature || '',
    detail: [summary, origin && `(${origin})`].filter(Boolean).join('  '),
    alwaysShow: true, // the server ranks by meaning: the quick pick must not filter by label
    hit,
  };
}

export type SearchFn = (args: SearchArgs) => Promise<unknown>;

/** Shows the quick pick; resolves with the chosen hit (inserted into the editor) or undefined. */
export async function searchApis(search: SearchFn, initial = ''): Promise<SearchHit | undefined> {
  const editor = vscode.window.activeTextEditor;
  const qp = vscode.window.createQuickPick<HitItem>();
  qp.title = 'apirec: Search APIs';
  qp.placeholder = 'Describe what the code should do, e.g. "parse a json string"';
  qp.matchOnDescription = false;
  qp.matchOnDetail = false;
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  const run = async (value: string) => {
    const mine = ++seq;
    if (!value.trim()) {
      qp.items = [];
      qp.busy = false;
      return;
    }
    qp.busy = true;
    try {
      const hits = normalizeHits(await search(searchArgs(value, editor)));
      if (mine === seq) {
        qp.items = hits.map(quickPickItem);
      }
    } catch (e) {
      if (mine === seq) {
        qp.items = [];
        void vscode.window.showErrorMessage(`apirec: search failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    } finally {
      if (mine === seq) {
        qp.busy = false;
      }
    }
  };
  qp.onDidChangeValue((v) => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(v), 200);
  });
  const chosen = await new Promise<SearchHit | undefined>((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]?.hit);
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
    if (initial) {
      qp.value = initial;
      void run(initial);
    }
  });
  clearTimeout(timer);
  qp.dispose();
  if (chosen) {
    if (editor && !editor.document.isClosed) {
      await insertHit(editor, chosen);
    } else {
      const text = insertionFor(chosen, '').snippet.replace(/\$\d|\$\{\d+:?([^}]*)\}/g, '$1');
      await vscode.env.clipboard.writeText(text);
      void vscode.window.showInformationMessage(`apirec: copied ${text} (no editor open)`);
    }
  }
  return chosen;
}
