/**
 * A small client for a running hub: its REST API (/hub/api/…) and, through
 * the proxy, a user's Jupyter server (/user/<name>/api/…), authenticated
 * with a hub API token. The instructor's view, the tests and the bench use it.
 */

export interface ServerModel {
  ready: boolean;
  pending: string | null;
  url: string;
  last_activity: string | null;
  started: string | null;
}

export interface UserModel {
  name: string;
  admin: boolean;
  last_activity: string | null;
  servers?: Record<string, ServerModel>;
}

export interface SessionModel {
  path: string;
  kernel: { id: string; name: string; execution_state: string; last_activity: string };
}

export class HubError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class HubApi {
  /** @param hubUrl the hub's public URL, e.g. http://127.0.0.1:8000/ (or its API URL's base for a service) */
  constructor(
    readonly hubUrl: string,
    readonly token: string,
  ) {}

  /** Logs in with a password through the hub's API and returns a client with a fresh token of that user's. */
  static async login(hubUrl: string, name: string, password: string): Promise<HubApi> {
    const response = await fetch(new URL(`hub/api/users/${encodeURIComponent(name)}/tokens`, hubUrl), {
      method: "POST",
      body: JSON.stringify({ auth: { username: name, password }, note: "convlab lab-server client", expires_in: 24 * 3600 }),
      headers: { "Content-Type": "application/json" },
    });
    if (!response.ok) throw new HubError(`Logging in as ${name} failed (${response.status}): wrong name or password?`, response.status);
    const { token } = (await response.json()) as { token: string };
    return new HubApi(hubUrl, token);
  }

  async fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `token ${this.token}`);
    if (init.body && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
    return fetch(new URL(pathname.replace(/^\//, ""), this.hubUrl), { ...init, headers, signal: init.signal ?? AbortSignal.timeout(60_000) });
  }

  async json<T>(pathname: string, init: RequestInit = {}): Promise<T> {
    const response = await this.fetch(pathname, init);
    const text = await response.text();
    if (!response.ok) throw new HubError(`${init.method ?? "GET"} ${pathname}: ${response.status} ${text.slice(0, 300)}`, response.status);
    return (text ? JSON.parse(text) : null) as T;
  }

  users(): Promise<UserModel[]> {
    return this.json<UserModel[]>("hub/api/users");
  }

  user(name: string): Promise<UserModel> {
    return this.json<UserModel>(`hub/api/users/${encodeURIComponent(name)}`);
  }

  /** Starts the user's server and waits until the hub reports it ready (or the timeout passes). */
  async startServer(name: string, timeoutMs: number): Promise<void> {
    const response = await this.fetch(`hub/api/users/${encodeURIComponent(name)}/server`, { method: "POST" });
    if (!response.ok && response.status !== 400) throw new HubError(`Starting ${name}'s server: ${response.status} ${await response.text()}`, response.status);
    await this.waitForServer(name, (s) => s?.ready === true, "ready", timeoutMs);
  }

  /** Stops the user's server and waits until the hub reports it gone. */
  async stopServer(name: string, timeoutMs: number): Promise<void> {
    const response = await this.fetch(`hub/api/users/${encodeURIComponent(name)}/server`, { method: "DELETE" });
    if (!response.ok && response.status !== 400) throw new HubError(`Stopping ${name}'s server: ${response.status} ${await response.text()}`, response.status);
    await this.waitForServer(name, (s) => s === undefined, "stopped", timeoutMs);
  }

  private async waitForServer(name: string, done: (server: ServerModel | undefined) => boolean, state: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const server = (await this.user(name)).servers?.[""];
      if (done(server)) return;
      if (Date.now() > deadline) throw new Error(`${name}'s server was not ${state} within ${Math.round(timeoutMs / 1000)} s (pending: ${server?.pending ?? "none"}).`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** A path on the user's Jupyter server, through the hub's proxy: userPath("ada", "api/sessions"). */
  userPath(name: string, pathname: string): string {
    return `user/${encodeURIComponent(name)}/${pathname.replace(/^\//, "")}`;
  }

  sessions(name: string): Promise<SessionModel[]> {
    return this.json<SessionModel[]>(this.userPath(name, "api/sessions"));
  }

  /** A text file from the user's server (contents API), or null when it does not exist. */
  async readText(name: string, file: string): Promise<string | null> {
    const response = await this.fetch(this.userPath(name, `api/contents/${file.split("/").map(encodeURIComponent).join("/")}?type=file&format=text&content=1`));
    if (response.status === 404) return null;
    if (!response.ok) throw new HubError(`Reading ${file} of ${name}: ${response.status}`, response.status);
    return ((await response.json()) as { content: string }).content;
  }
}
