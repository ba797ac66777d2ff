/** The status bar item: server state, index state (from `apirec.status`) and indexing progress. */
import * as vscode from 'vscode';

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export interface Progress {
  title?: string;
  message?: string;
  percentage?: number;
}

export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  server: ServerState = 'starting';
  indexes: Record<string, string> = {};
  ready = false;
  progress: Progress | undefined;
  detail = '';

  constructor() {
    this.item = vscode.window.createStatusBarItem('apirec.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'apirec';
    this.item.command = 'apirec.showOutput';
    this.render();
    this.item.show();
  }

  setServer(state: ServerState, detail = ''): void {
    this.server = state;
    this.detail = detail;
    if (state !== 'running') {
      this.progress = undefined;
    }
    this.render();
  }

  setIndexes(indexes: Record<string, string>, ready: boolean): void {
    this.indexes = indexes;
    this.ready = ready;
    this.render();
  }

  setProgress(p: Progress | undefined): void {
    this.progress = p && { ...this.progress, ...p };
    this.render();
  }

  /** The text, computed from the state (exported for tests). */
  text(): string {
    if (this.server === 'starting') {
      return '$(sync~spin) apirec: starting';
    }
    if (this.server === 'failed') {
      return '$(error) apirec: not running';
    }
    if (this.server === 'stopped') {
      return '$(circle-slash) apirec: stopped';
    }
    if (this.progress) {
      const pct = this.progress.percentage !== undefined ? ` ${this.progress.percentage}%` : '';
      return `$(sync~spin) apirec: indexing${pct}`;
    }
    if (Object.values(this.indexes).some((s) => s.startsWith('error'))) {
      return '$(warning) apirec: index error';
    }
    if (!this.ready) {
      return '$(sync~spin) apirec: loading index';
    }
    return '$(check) apirec';
  }

  render(): void {
    this.item.text = this.text();
    const lines = ['**apirec** language server: ' + this.server];
    if (this.detail) {
      lines.push(this.detail);
    }
    if (this.progress) {
      lines.push(`${this.progress.title ?? 'indexing'}: ${this.progress.message ?? ''}`);
    }
    for (const [name, state] of Object.entries(this.indexes)) {
      lines.push(`- index \`${name}\`: ${state}`);
    }
    lines.push('', 'Click to show the output.');
    const md = new vscode.MarkdownString(lines.join('\n\n'));
    this.item.tooltip = md;
    this.item.backgroundColor =
      this.server === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
