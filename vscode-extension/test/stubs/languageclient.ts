/* eslint-disable @typescript-eslint/no-explicit-any */
/** A stand-in for `vscode-languageclient/node`: records what the extension starts, starts nothing. */
export enum TransportKind {
  stdio = 0,
  ipc = 1,
  pipe = 2,
  socket = 3,
}
export enum State {
  Stopped = 1,
  Starting = 3,
  Running = 2,
}
export enum RevealOutputChannelOn {
  Debug = 0,
  Info = 1,
  Warn = 2,
  Error = 3,
  Never = 4,
}
export const WorkDoneProgress = { type: { method: '$/progress' } };

export class LanguageClient {
  static instances: LanguageClient[] = [];
  /** Set by a test to make the next start() fail. */
  static failNextStart: Error | undefined;
  state = State.Stopped;
  requests: { method: string; params: any }[] = [];
  notifications: { method: string; params: any }[] = [];
  requestHandlers: Record<string, (p: any) => any> = {};
  initializeResult: any = { capabilities: { executeCommandProvider: { commands: ['apirec.status'] } } };
  /** Answers to sendRequest('workspace/executeCommand') by command name. */
  answers: Record<string, any> = {
    'apirec.status': { indexes: { default: 'ready' }, ready: true, root: null, workspace_dir: null, overlay_files: 0, options: {} },
  };
  private stateListeners: ((e: any) => void)[] = [];

  constructor(
    readonly id: string,
    readonly name: string,
    readonly serverOptions: any,
    readonly clientOptions: any,
  ) {
    LanguageClient.instances.push(this);
  }

  async start(): Promise<void> {
    const fail = LanguageClient.failNextStart;
    LanguageClient.failNextStart = undefined;
    if (fail) {
      throw fail;
    }
    this.setState(State.Running);
  }
  async stop(): Promise<void> {
    this.setState(State.Stopped);
  }
  isRunning(): boolean {
    return this.state === State.Running;
  }
  private setState(s: State): void {
    const old = this.state;
    this.state = s;
    this.stateListeners.forEach((l) => l({ oldState: old, newState: s }));
  }
  onDidChangeState(l: (e: any) => void) {
    this.stateListeners.push(l);
    return { dispose: () => undefined };
  }
  onRequest(method: string, h: (p: any) => any) {
    this.requestHandlers[method] = h;
    return { dispose: () => undefined };
  }
  onProgress() {
    return { dispose: () => undefined };
  }
  async sendRequest(method: string, params: any): Promise<any> {
    this.requests.push({ method, params });
    if (method === 'workspace/executeCommand') {
      const a = this.answers[params.command];
      return typeof a === 'function' ? a(...params.arguments) : a;
    }
    return null;
  }
  async sendNotification(method: string, params: any): Promise<void> {
    this.notifications.push({ method, params });
  }
}
