/**
 * The Python extension's active interpreter, used only when `ms-python.python` is installed: it is
 * an optional companion, never a dependency (its API is typed here by the few members we use).
 */
import * as vscode from 'vscode';

export const PYTHON_EXTENSION_ID = 'ms-python.python';

interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(env: { id: string; path: string } | string): Promise<
      { executable: { uri?: vscode.Uri } } | undefined
    >;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
    onDidChangeExecutionDetails: vscode.Event<unknown>;
  };
}

async function api(): Promise<PythonApi | undefined> {
  const ext = vscode.extensions.getExtension<PythonApi>(PYTHON_EXTENSION_ID);
  if (!ext) {
    return undefined;
  }
  try {
    return ext.isActive ? ext.exports : await ext.activate();
  } catch {
    return undefined;
  }
}

/** The interpreter command of the Python extension, or undefined (not installed, none selected). */
export async function pythonExtensionInterpreter(resource?: vscode.Uri): Promise<string[] | undefined> {
  const py = await api();
  if (!py) {
    return undefined;
  }
  try {
    if (py.environments) {
      const envPath = py.environments.getActiveEnvironmentPath(resource);
      const env = await py.environments.resolveEnvironment(envPath);
      const exe = env?.executable.uri?.fsPath;
      if (exe) {
        return [exe];
      }
    }
    const cmd = py.settings?.getExecutionDetails(resource).execCommand;
    if (cmd && cmd.length > 0) {
      return cmd;
    }
  } catch {
    // an older or broken Python extension: fall back to our default
  }
  return undefined;
}

/** Calls `listener` when the Python extension's interpreter changes (nothing when it is absent). */
export async function onPythonInterpreterChange(listener: () => void): Promise<vscode.Disposable | undefined> {
  const py = await api();
  if (py?.environments) {
    return py.environments.onDidChangeActiveEnvironmentPath(() => listener());
  }
  if (py?.settings) {
    return py.settings.onDidChangeExecutionDetails(() => listener());
  }
  return undefined;
}
