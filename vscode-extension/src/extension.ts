/** apirec for VS Code: runs `<python> -m apirec.lsp` through vscode-languageclient. */
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
  WorkDoneProgress,
} from 'vscode-languageclient/node';
import {
  configurationAnswer,
  needsRestart,
  readLaunchSettings,
  readServerSettings,
  SECTION,
  ServerCommand,
  serverCommand,
} from './config';
import { REINDEX_COMMAND, SEARCH_COMMAND, STATUS_COMMAND, StatusResult } from './protocol';
import { onPythonInterpreterChange, PYTHON_EXTENSION_ID, pythonExtensionInterpreter } from './python';
import { searchApis } from './search';
import { StatusBar } from './status';

export const CLIENT_ID = 'apirec'; // also the prefix of `apirec.trace.server`, which the client reads
export const COMMANDS = {
  search: 'apirec.searchApis',
  reindex: 'apirec.reindexWorkspace',
  restart: 'apirec.restartServer',
  showOutput: 'apirec.showOutput',
} as const;

export function serverOptions(cmd: ServerCommand): ServerOptions {
  return { command: cmd.command, args: cmd.args, options: { env: cmd.env, cwd: cmd.cwd }, transport: TransportKind.stdio };
}

export function clientOptions(output: vscode.OutputChannel, scope?: vscode.Uri): LanguageClientOptions {
  return {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
    ],
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: readServerSettings(scope),
    middleware: {
      workspace: {
        // Only the server's settings: the extension's own (interpreter, trace, ...) would be
        // reported by the server as unknown settings.
        configuration: async (params, token, next) => {
          if (params.items.every((i) => i.section === SECTION)) {
            return configurationAnswer(params.items);
          }
          const theirs = await next(params, token);
          if (!Array.isArray(theirs)) {
            return theirs;
          }
          const ours = configurationAnswer(params.items);
          return theirs.map((v, i) => (params.items[i].section === SECTION ? ours[i] : v));
        },
      },
    },
  };
}

export class ServerManager implements vscode.Disposable {
  client: LanguageClient | undefined;
  command: ServerCommand | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private polling = false;
  private disposed = false;

  constructor(
    readonly output: vscode.OutputChannel,
    readonly status: StatusBar,
  ) {}

  get folder(): vscode.Uri | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri;
  }

  /** The command the server is started with, from the settings and the Python extension. */
  async computeCommand(): Promise<ServerCommand> {
    const launch = readLaunchSettings(this.folder);
    const fromExt = launch.interpreter.length ? undefined : await pythonExtensionInterpreter(this.folder);
    return serverCommand(launch, fromExt, process.env, this.folder?.fsPath);
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(reason: string): Promise<void> {
    return this.enqueue(async () => {
      this.output.appendLine(`[apirec] restarting the server: ${reason}`);
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async doStart(): Promise<void> {
    if (this.disposed) {
      return;
    }
    this.status.setServer('starting');
    const cmd = await this.computeCommand();
    this.command = cmd;
    this.output.appendLine(`[apirec] starting ${[cmd.command, ...cmd.args].join(' ')} (interpreter: ${cmd.source})`);
    const client = new LanguageClient(CLIENT_ID, 'apirec', serverOptions(cmd), clientOptions(this.output, this.folder));
    this.client = client;
    client.onDidChangeState((e) => {
      if (this.client === client && e.newState === State.Stopped) {
        this.status.setServer('stopped');
      }
    });
    try {
      await client.start();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.output.appendLine(`[apirec] the server did not start: ${msg}`);
      this.status.setServer('failed', `\`${cmd.command} ${cmd.args.join(' ')}\` failed: ${msg}`);
      void vscode.window
        .showErrorMessage(
          `apirec: the language server did not start with "${cmd.command}" (${cmd.source}). ` +
            'Is apirec installed for that interpreter? Set "apirec.interpreter" to choose another.',
          'Show output',
          'Open settings',
        )
        .then((pick) => {
          if (pick === 'Show output') {
            this.output.show(true);
          } else if (pick === 'Open settings') {
            void vscode.commands.executeCommand('workbench.action.openSettings', 'apirec.interpreter');
          }
        });
      return;
    }
    this.status.setServer('running', `\`${[cmd.command, ...cmd.args].join(' ')}\``);
    this.watchProgress(client);
    void this.pollStatus();
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(3000);
      } catch (e) {
        this.output.appendLine(`[apirec] stopping the server: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.status.setServer('stopped');
  }

  /** Index progress into the status bar (instead of the client's default notification). */
  private watchProgress(client: LanguageClient): void {
    client.onRequest('window/workDoneProgress/create', (params: { token: string | number }) => {
      const sub = client.onProgress(WorkDoneProgress.type, params.token, (v) => {
        if (v.kind === 'end') {
          sub.dispose();
          this.status.setProgress(undefined);
          void this.pollStatus();
        } else {
          this.status.setProgress({
            title: v.kind === 'begin' ? v.title : undefined,
            message: v.message,
            percentage: v.percentage,
          });
        }
      });
      return null;
    });
  }

  serverCommands(): string[] {
    return this.client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  }

  async execute(command: string, args: unknown[] = []): Promise<unknown> {
    const client = this.client;
    if (!client || !client.isRunning()) {
      throw new Error('the apirec server is not running');
    }
    return client.sendRequest('workspace/executeCommand', { command, arguments: args });
  }

  /** Polls `apirec.status` into the status bar until every index is ready (or failed). */
  async pollStatus(intervalMs = 1000, maxPolls = 1800): Promise<void> {
    if (this.polling) {
      return;
    }
    this.polling = true;
    try {
      for (let i = 0; i < maxPolls && !this.disposed && this.client?.isRunning(); i++) {
        const st = (await this.execute(STATUS_COMMAND).catch(() => undefined)) as StatusResult | undefined;
        if (st && typeof st === 'object' && st.indexes) {
          this.status.setIndexes(st.indexes, !!st.ready);
          if (st.ready || Object.values(st.indexes).some((s) => s.startsWith('error'))) {
            return;
          }
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    } finally {
      this.polling = false;
    }
  }

  async search(initial?: string): Promise<void> {
    if (!this.serverCommands().includes(SEARCH_COMMAND)) {
      void vscode.window.showErrorMessage(
        `apirec: this apirec server does not offer "${SEARCH_COMMAND}" (workspace/executeCommand); update apirec.`,
      );
      return;
    }
    await searchApis((args) => this.execute(SEARCH_COMMAND, [args]), initial);
  }

  async reindex(): Promise<void> {
    if (this.serverCommands().includes(REINDEX_COMMAND)) {
      await this.execute(REINDEX_COMMAND);
      void this.pollStatus();
      return;
    }
    // Older servers index the workspace at start-up (unchanged files are reused by content hash).
    await this.restart('reindex workspace');
  }

  async onConfigurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (needsRestart(e)) {
      await this.restart('settings changed');
    } else if (e.affectsConfiguration(SECTION) && this.client?.isRunning()) {
      await this.client.sendNotification('workspace/didChangeConfiguration', {
        settings: readServerSettings(this.folder),
      });
    }
  }

  dispose(): void {
    this.disposed = true;
    void this.doStop();
  }
}

export interface ApirecApi {
  manager: ServerManager;
}

let current: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<ApirecApi> {
  const output = vscode.window.createOutputChannel('apirec');
  const status = new StatusBar();
  const manager = new ServerManager(output, status);
  current = manager;
  context.subscriptions.push(output, status, manager);

  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.search, (query?: string) =>
      manager.search(typeof query === 'string' ? query : undefined),
    ),
    vscode.commands.registerCommand(COMMANDS.reindex, () => manager.reindex()),
    vscode.commands.registerCommand(COMMANDS.restart, () => manager.restart('restart command')),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => manager.onConfigurationChanged(e)),
  );

  // The Python extension's interpreter: follow its changes, and its arrival or removal.
  let pySub: vscode.Disposable | undefined;
  const followPython = async () => {
    pySub?.dispose();
    pySub = await onPythonInterpreterChange(() => {
      if (readLaunchSettings(manager.folder).interpreter.length === 0) {
        void manager.restart('python interpreter changed');
      }
    });
  };
  let hadPython = !!vscode.extensions.getExtension(PYTHON_EXTENSION_ID);
  context.subscriptions.push(
    vscode.extensions.onDidChange(() => {
      const has = !!vscode.extensions.getExtension(PYTHON_EXTENSION_ID);
      if (has !== hadPython) {
        hadPython = has;
        void followPython();
        if (readLaunchSettings(manager.folder).interpreter.length === 0) {
          void manager.restart('python extension ' + (has ? 'installed' : 'removed'));
        }
      }
    }),
    { dispose: () => pySub?.dispose() },
  );
  await followPython();
  await manager.start();
  return { manager };
}

export function deactivate(): Promise<void> | undefined {
  const m = current;
  current = undefined;
  return m?.stop();
}
