/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * A small stand-in for the `vscode` module (only what the extension uses), as the
 * vscode-python-tools-extension-template tests do. Tests set `settings`, `extensionsById`,
 * `workspaceFolders` and read what the extension registered.
 */
import * as path from 'path';

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (l: Listener<T>) => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T): unknown[] {
    return this.listeners.map((l) => l(e));
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(p: string): Uri {
    return new Uri('file', path.resolve(p));
  }
  static parse(s: string): Uri {
    return s.startsWith('file://') ? new Uri('file', decodeURIComponent(s.slice(7))) : new Uri(s.split(':')[0], s);
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return this.scheme === 'file' ? 'file://' + encodeURI(this.fsPath) : this.fsPath;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
export class Range {
  constructor(
    readonly start: Position,
    readonly end: Position,
  ) {}
}
export class Selection extends Range {
  get active(): Position {
    return this.end;
  }
}
export class SnippetString {
  constructor(readonly value: string) {}
}
export class MarkdownString {
  constructor(readonly value: string) {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}
export class Disposable {
  constructor(private fn: () => void) {}
  dispose(): void {
    this.fn();
  }
}
export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}
export enum EndOfLine {
  LF = 1,
  CRLF = 2,
}
export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}

// -- state the tests drive ------------------------------------------------------------------------
/** Flat `apirec.*` settings, e.g. `{"apirec.interpreter": ["/py"]}`. */
export const settings: Record<string, unknown> = {};
export const extensionsById: Record<string, any> = {};
export const registeredCommands: Record<string, (...a: any[]) => any> = {};
export const messages: { level: string; text: string }[] = [];
export const output: string[] = [];
export const statusItems: any[] = [];
export const configEvents = new EventEmitter<any>();
export const extensionEvents = new EventEmitter<void>();

export function resetStub(): void {
  for (const k of Object.keys(settings)) {delete settings[k];}
  for (const k of Object.keys(extensionsById)) {delete extensionsById[k];}
  for (const k of Object.keys(registeredCommands)) {delete registeredCommands[k];}
  messages.length = 0;
  output.length = 0;
  statusItems.length = 0;
  workspace.workspaceFolders = undefined;
  window.activeTextEditor = undefined;
}

/** A configuration change event for the given setting keys. */
export function changeEvent(...keys: string[]): { affectsConfiguration(s: string): boolean } {
  return { affectsConfiguration: (s: string) => keys.some((k) => k === s || k.startsWith(s + '.') || s.startsWith(k + '.')) };
}

export const workspace = {
  workspaceFolders: undefined as { uri: Uri; name: string; index: number }[] | undefined,
  getConfiguration(section?: string) {
    const prefix = section ? section + '.' : '';
    return {
      get<T>(key: string, dflt?: T): T {
        const full = prefix + key;
        return (full in settings ? settings[full] : dflt) as T;
      },
      has: (key: string) => prefix + key in settings,
      inspect: () => undefined,
      update: async () => undefined,
    };
  },
  onDidChangeConfiguration: configEvents.event,
};

export const extensions = {
  getExtension: (id: string) => extensionsById[id],
  onDidChange: extensionEvents.event,
};

function channel(name: string) {
  return {
    name,
    append: (s: string) => output.push(s),
    appendLine: (s: string) => output.push(s),
    replace: () => undefined,
    clear: () => undefined,
    show: () => undefined,
    hide: () => undefined,
    dispose: () => undefined,
  };
}

export const window = {
  activeTextEditor: undefined as any,
  createOutputChannel: channel,
  createStatusBarItem(id?: string, alignment?: StatusBarAlignment, priority?: number) {
    const item = { id, alignment, priority, text: '', tooltip: undefined as any, shown: false,
      show() { item.shown = true; }, hide() { item.shown = false; }, dispose() {} };
    statusItems.push(item);
    return item;
  },
  showErrorMessage: async (text: string) => {
    messages.push({ level: 'error', text });
    return undefined;
  },
  showWarningMessage: async (text: string) => {
    messages.push({ level: 'warning', text });
    return undefined;
  },
  showInformationMessage: async (text: string) => {
    messages.push({ level: 'info', text });
    return undefined;
  },
  createQuickPick() {
    throw new Error('createQuickPick is not stubbed');
  },
};

export const commands = {
  registerCommand(id: string, fn: (...a: any[]) => any) {
    if (id in registeredCommands) {
      throw new Error(`command ${id} already exists`);
    }
    registeredCommands[id] = fn;
    return new Disposable(() => delete registeredCommands[id]);
  },
  executeCommand: async (id: string, ...args: any[]) => registeredCommands[id]?.(...args),
};

export const env = { clipboard: { writeText: async () => undefined } };
