/**
 * The requests this extension sends to the apirec language server besides standard LSP.
 *
 * All of them are `workspace/executeCommand` commands. Their names deliberately differ from the
 * VS Code command ids in package.json (`apirec.searchApis`, ...): vscode-languageclient registers a
 * VS Code command for every command the server lists in `executeCommandProvider.commands`, and two
 * registrations of one id would fail.
 */

/** `apirec.status` (served today): which indexes are ready and the options in force. */
export const STATUS_COMMAND = 'apirec.status';

/**
 * `apirec.search` (to be added on the server): ranked APIs for a natural-language query.
 * arguments: `[SearchArgs]`; result: `SearchResult` (a bare `SearchHit[]` is accepted too).
 */
export const SEARCH_COMMAND = 'apirec.search';

/**
 * `apirec.reindex` (to be added on the server): re-index the workspace folder now, reporting
 * `$/progress` like the start-up indexing. arguments: `[]`; result: ignored.
 * Without it the extension restarts the server, which re-indexes at start-up (unchanged files are
 * reused by content hash).
 */
export const REINDEX_COMMAND = 'apirec.reindex';

export interface StatusResult {
  indexes: Record<string, string>; // "loading" | "ready" | "error: ..."
  root: string | null;
  workspace_dir: string | null;
  overlay_files: number;
  ready: boolean;
  options: Record<string, unknown>;
}

export interface SearchArgs {
  query: string;
  k: number;
  /** The document the call will be inserted into, so the server can qualify names by its imports. */
  textDocument?: { uri: string };
  position?: { line: number; character: number };
}

export interface SearchHit {
  id?: string;
  public_path: string;
  kind?: string;
  signature?: string;
  summary?: string;
  doc?: string;
  origin?: string;
  version?: string;
  score?: number;
  /** The call to insert, an LSP snippet (e.g. `json.loads(${1:s})`); computed by the client when absent. */
  insert_text?: string;
  /** The import statement the call needs in that document, or null when none is needed. */
  import?: string | null;
  /** 0-based line where `import` goes. */
  import_line?: number;
}

export interface SearchResult {
  query?: string;
  hits: SearchHit[];
}
