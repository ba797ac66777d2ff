/**
 * Settings and the server command: everything here is computed from the `apirec.*` settings and
 * the Python extension's interpreter, with no side effects (the unit tests call it directly).
 */
import * as vscode from 'vscode';

/** The server's settings (lsp/options.py `Options`), camelCase as the server accepts them. */
export interface ServerSettings {
  indexPaths: string[];
  extraPackages: string[];
  ignoreGlobs: string[];
  maxCompletions: number;
  llm: { baseUrl: string; model: string; timeout: number; maxTokens: number; apis: number };
  features: {
    diagnostics: boolean;
    nlComments: boolean;
    hover: boolean;
    signatureHelp: boolean;
    workspaceIndex: boolean;
    inlineCompletion: boolean;
  };
}

/** Settings only the extension reads: changing one restarts the server. */
export interface LaunchSettings {
  interpreter: string[];
  home: string;
  verbose: boolean;
}

export const SECTION = 'apirec';
/** Changing any of these restarts the server; any other `apirec.*` change is sent to it. */
export const RESTART_KEYS = ['apirec.interpreter', 'apirec.home', 'apirec.server'];
export const FALLBACK_PYTHON = 'python3';

function strList(v: unknown): string[] {
  if (typeof v === 'string') {
    return v.trim() ? [v] : [];
  }
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : [];
}

export function readServerSettings(scope?: vscode.ConfigurationScope): ServerSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const b = (k: string, d: boolean) => {
    const v = c.get<unknown>(k, d);
    return typeof v === 'boolean' ? v : d;
  };
  const s = (k: string) => {
    const v = c.get<unknown>(k, '');
    return typeof v === 'string' ? v : '';
  };
  const n = (k: string, d: number, integer: boolean) => {
    const v = c.get<unknown>(k, d);
    return typeof v === 'number' && v > 0 && (!integer || Number.isInteger(v)) ? v : d;
  };
  const max = c.get<unknown>('maxCompletions', 50);
  return {
    indexPaths: strList(c.get('indexPaths', [])),
    extraPackages: strList(c.get('extraPackages', [])),
    ignoreGlobs: strList(c.get('ignoreGlobs', [])),
    maxCompletions: typeof max === 'number' && Number.isInteger(max) ? max : 50,
    llm: {
      baseUrl: s('llm.baseUrl'),
      model: s('llm.model'),
      timeout: n('llm.timeout', 10, false),
      maxTokens: n('llm.maxTokens', 256, true),
      apis: n('llm.apis', 5, true),
    },
    features: {
      diagnostics: b('features.diagnostics', true),
      nlComments: b('features.nlComments', true),
      hover: b('features.hover', true),
      signatureHelp: b('features.signatureHelp', true),
      workspaceIndex: b('features.workspaceIndex', true),
      inlineCompletion: b('features.inlineCompletion', true),
    },
  };
}

export function readLaunchSettings(scope?: vscode.ConfigurationScope): LaunchSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const home = c.get<unknown>('home', '');
  return {
    interpreter: strList(c.get('interpreter', [])),
    home: typeof home === 'string' ? home : '',
    verbose: c.get<unknown>('server.verbose', false) === true,
  };
}

export interface ServerCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Where the interpreter came from: "setting", "python extension" or "default". */
  source: 'setting' | 'python extension' | 'default';
}

/**
 * `<python> -m apirec.lsp [-v]`: python is the `apirec.interpreter` setting, else the Python
 * extension's active interpreter (`pythonExt`, undefined when that extension is absent), else python3.
 */
export function serverCommand(
  launch: LaunchSettings,
  pythonExt: string[] | undefined,
  baseEnv: NodeJS.ProcessEnv = process.env,
  cwd?: string,
): ServerCommand {
  let python: string[];
  let source: ServerCommand['source'];
  if (launch.interpreter.length > 0) {
    python = launch.interpreter;
    source = 'setting';
  } else if (pythonExt && pythonExt.length > 0) {
    python = pythonExt;
    source = 'python extension';
  } else {
    python = [FALLBACK_PYTHON];
    source = 'default';
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(baseEnv)) {
    if (v !== undefined) {
      env[k] = v;
    }
  }
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONIOENCODING = 'utf-8';
  if (launch.home) {
    env.APIREC_HOME = launch.home;
  }
  const args = [...python.slice(1), '-m', 'apirec.lsp'];
  if (launch.verbose) {
    args.push('-v');
  }
  return { command: python[0], args, env, cwd, source };
}

/** The answer to `workspace/configuration`: the server's settings for section "apirec", null otherwise. */
export function configurationAnswer(items: { section?: string; scopeUri?: string }[]): (ServerSettings | null)[] {
  return items.map((item) => {
    if (item.section !== SECTION) {
      return null;
    }
    const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
    return readServerSettings(scope);
  });
}

export function needsRestart(e: vscode.ConfigurationChangeEvent): boolean {
  return RESTART_KEYS.some((k) => e.affectsConfiguration(k));
}
