/**
 * The instructor's view as a hub-managed service, at /services/class-progress/.
 * The hub starts it with a token whose role lets it list users and reach
 * their servers (see hub-config.ts). A page visit logs in through the hub's
 * OAuth (the instructor is already logged in to the hub, so this is a
 * redirect and back); scripts may send `Authorization: token <hub token>`.
 * Either way only hub admins are let in.
 *
 *   GET /services/class-progress/              the table and the chart
 *   GET /services/class-progress/api/progress  the same as JSON
 *
 * Why a service page and not an admin notebook: it needs no kernel and no
 * server of the instructor's, it is always current, and the view's
 * admin-scoped token stays in the service, never in a notebook a learner
 * could be shown on a projector.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { HubApi } from "./hub-api";
import type { LabConfig } from "./hub-config";
import { readClass, renderProgressPage, type LearnerProgress } from "./progress";

const SESSION_COOKIE = "convlab-class-progress";

function main(stateDir: string): void {
  const lab = JSON.parse(readFileSync(path.join(stateDir, "lab.json"), "utf8")) as LabConfig;
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: the class-progress service is started by the hub (convlab lab-server).`);
    return value;
  };
  const token = env("JUPYTERHUB_API_TOKEN");
  const apiUrl = env("JUPYTERHUB_API_URL").replace(/\/?$/, "/");
  const prefix = env("JUPYTERHUB_SERVICE_PREFIX");
  const callback = env("JUPYTERHUB_OAUTH_CALLBACK_URL");
  const clientId = env("JUPYTERHUB_CLIENT_ID");
  const baseUrl = process.env.JUPYTERHUB_BASE_URL ?? "/";
  const listen = new URL(env("JUPYTERHUB_SERVICE_URL"));
  const hub = new HubApi(`http://127.0.0.1:${lab.port}/`, token);
  const sessions = new Map<string, string>();
  const states = new Set<string>();
  const cacheFile = path.join(stateDir, "progress-cache.json");
  const previous = new Map<string, LearnerProgress>(existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, "utf8")) as LearnerProgress[]).map((l) => [l.name, l]) : []);

  /** The admin's name if the request carries a session or an admin's token; else null. */
  async function admin(request: IncomingMessage): Promise<string | null> {
    const cookie = /(?:^|;\s*)convlab-class-progress=([0-9a-f]+)/.exec(request.headers.cookie ?? "")?.[1];
    if (cookie && sessions.has(cookie)) return sessions.get(cookie)!;
    const header = /^token\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
    return header ? adminOfToken(header) : null;
  }

  async function adminOfToken(userToken: string): Promise<string | null> {
    const who = await fetch(`${apiUrl}user`, { headers: { Authorization: `token ${userToken}` } });
    if (!who.ok) return null;
    const { name } = (await who.json()) as { name?: string };
    if (!name) return null;
    return (await hub.user(name)).admin ? name : null;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://service");
    if (url.pathname === new URL(callback, "http://service").pathname) return finishLogin(url, response);
    const name = await admin(request);
    if (!name) {
      if (request.headers.authorization || url.pathname.startsWith(`${prefix}api/`)) return send(response, 403, "text/plain", "Only the hub's admins (the instructor) may see the class's progress.\n");
      const state = randomBytes(16).toString("hex");
      states.add(state);
      const authorize = `${baseUrl}hub/api/oauth2/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: callback, response_type: "code", state })}`;
      response.writeHead(302, { Location: authorize }).end();
      return;
    }
    const progress = await readClass(hub, lab.learners, previous);
    for (const learner of progress.learners) previous.set(learner.name, learner);
    writeFileSync(cacheFile, JSON.stringify([...previous.values()]), { mode: 0o600 });
    if (url.pathname === `${prefix}api/progress`) return send(response, 200, "application/json", JSON.stringify(progress));
    return send(response, 200, "text/html; charset=utf-8", renderProgressPage(progress));
  }

  async function finishLogin(url: URL, response: ServerResponse): Promise<void> {
    const state = url.searchParams.get("state") ?? "";
    const code = url.searchParams.get("code");
    if (!code || !states.delete(state)) return send(response, 400, "text/plain", "This login link is stale; open the class-progress page again.\n");
    const exchange = await fetch(`${apiUrl}oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: clientId, client_secret: token, grant_type: "authorization_code", code, redirect_uri: callback }),
    });
    if (!exchange.ok) return send(response, 403, "text/plain", `The hub refused the login (${exchange.status}).\n`);
    const { access_token: accessToken } = (await exchange.json()) as { access_token: string };
    const name = await adminOfToken(accessToken);
    if (!name) return send(response, 403, "text/plain", "Only the hub's admins (the instructor) may see the class's progress.\n");
    const session = randomBytes(24).toString("hex");
    sessions.set(session, name);
    response.writeHead(302, { Location: prefix, "Set-Cookie": `${SESSION_COOKIE}=${session}; Path=${prefix}; HttpOnly; SameSite=Lax` }).end();
  }

  createServer((request, response) => {
    handle(request, response).catch((error: Error) => send(response, 500, "text/plain", `The class-progress view failed: ${error.message}\n`));
  }).listen(Number(listen.port), listen.hostname);
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" }).end(body);
}

if (require.main === module) main(process.argv[2] ?? process.cwd());
