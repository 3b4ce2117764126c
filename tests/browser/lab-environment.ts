/**
 * The JupyterLab the browser tests drive: the one `npm start` opens, from
 * the same code (ensureJupyterLab), so a fresh clone's first test run
 * creates the project's .venv/ exactly as a learner's first `npm start`.
 */
import { ensureJupyterLab, type JupyterEnv } from "../../cli/jupyter-env";

let pending: Promise<JupyterEnv> | undefined;

export function jupyterLab(): Promise<JupyterEnv> {
  pending ??= ensureJupyterLab({ log: (line) => console.log(`      ${line}`) });
  return pending;
}
