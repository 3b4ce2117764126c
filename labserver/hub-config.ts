/**
 * The generated JupyterHub configuration: lab.json (the facts of this class)
 * and jupyterhub_config.py (fixed code that reads it). The config defines
 * the two small classes JupyterHub has no package for here: an
 * authenticator that checks bcrypt hashes, and a spawner that puts each
 * learner's server into that learner's cgroup before dropping root.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { AppliedLimits } from "./limits";

/** What jupyterhub_config.py reads from lab.json. */
export interface LabConfig {
  classId: string;
  instructor: string;
  learners: string[];
  bind: string;
  port: number;
  hubPort: number;
  proxyApiPort: number;
  progressPort: number;
  /** configurable-http-proxy from npm (node_modules/.bin). */
  proxyCommand: string;
  /** The Python of the learners' environment (JupyterLab 4 + Debian's jupyterhub.singleuser). */
  python: string;
  /** The instructor's view, run by the hub as a managed service. */
  progressCommand: string[];
  idleSeconds: number;
  startTimeoutSeconds: number;
  limits: Pick<AppliedLimits, "procs" | "rlimitDataBytes" | "environment" | "mode">;
  /** Per-learner memory limit, for the spawner's mem_limit (shown in the hub's admin pages). */
  memoryMb: number;
}

export const PROGRESS_SERVICE = "class-progress";

export function writeHubConfig(stateDir: string, config: LabConfig): string {
  writeFileSync(path.join(stateDir, "lab.json"), JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  const file = path.join(stateDir, "jupyterhub_config.py");
  writeFileSync(file, HUB_CONFIG, { mode: 0o600 });
  return file;
}

const HUB_CONFIG = `# Written by \`convlab lab-server\`; rerun it to change the class (this file is rewritten).
import asyncio, json, os, pwd, resource

import bcrypt
from jupyterhub.auth import Authenticator
from jupyterhub.spawner import LocalProcessSpawner

STATE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(STATE, "lab.json")) as f:
    LAB = json.load(f)


class HashedPasswordAuthenticator(Authenticator):
    """Checks a login against the bcrypt hashes in passwords.json; no password is stored."""

    async def authenticate(self, handler, data):
        name = self.normalize_username((data or {}).get("username", ""))
        password = (data or {}).get("password", "")
        with open(os.path.join(STATE, "passwords.json")) as f:
            hashed = json.load(f).get(name)
        if not hashed or not password:
            return None
        ok = await asyncio.get_running_loop().run_in_executor(None, bcrypt.checkpw, password.encode(), hashed.encode())
        return name if ok else None


class LearnerSpawner(LocalProcessSpawner):
    """Runs a learner's server as their Unix user, inside their own cgroup (or under rlimits)."""

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        procs = LAB["limits"]["procs"].get(name, [])
        data_limit = LAB["limits"].get("rlimitDataBytes")

        def preexec():
            for procs_file in procs:  # still root here: join the cgroup, then drop privileges
                with open(procs_file, "w") as f:
                    f.write(str(os.getpid()))
            if data_limit:
                resource.setrlimit(resource.RLIMIT_DATA, (data_limit, data_limit))
            become_user()

        return preexec


def progress_dir(spawner):
    return os.path.join(pwd.getpwnam(spawner.user.name).pw_dir, ".convlab")


c = get_config()  # noqa: F821 (JupyterHub defines it)
c.JupyterHub.ip = LAB["bind"]
c.JupyterHub.port = LAB["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = LAB["hubPort"]
c.JupyterHub.db_url = "sqlite:///" + os.path.join(STATE, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(STATE, "jupyterhub.pid")
c.ConfigurableHTTPProxy.command = [LAB["proxyCommand"]]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:%d" % LAB["proxyApiPort"]
c.ConfigurableHTTPProxy.pid_file = os.path.join(STATE, "proxy.pid")

c.JupyterHub.authenticator_class = HashedPasswordAuthenticator
c.Authenticator.admin_users = {LAB["instructor"]}
c.Authenticator.allowed_users = set(LAB["learners"])

c.JupyterHub.spawner_class = LearnerSpawner
c.Spawner.cmd = [LAB["python"], "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.mem_limit = "%dM" % LAB["memoryMb"]
c.Spawner.start_timeout = LAB["startTimeoutSeconds"]
c.Spawner.http_timeout = LAB["startTimeoutSeconds"]
c.Spawner.environment = dict(LAB["limits"]["environment"], CONVLAB_PROGRESS_DIR=progress_dir)
c.Spawner.args = [
    "--MappingKernelManager.default_kernel_name=convlab",
    # Idle culling: kernels idle this long are stopped, then the server stops itself; files stay.
    "--MappingKernelManager.cull_idle_timeout=%d" % LAB["idleSeconds"],
    "--MappingKernelManager.cull_connected=True",
    "--MappingKernelManager.cull_interval=%d" % max(10, min(300, LAB["idleSeconds"] // 4)),
    "--ServerApp.shutdown_no_activity_timeout=%d" % LAB["idleSeconds"],
    # The instructor's view reads ~/.convlab/checks.jsonl through this server's contents API.
    "--ContentsManager.allow_hidden=True",
]

c.JupyterHub.services = [
    {
        "name": "${PROGRESS_SERVICE}",
        "url": "http://127.0.0.1:%d" % LAB["progressPort"],
        "command": LAB["progressCommand"],
        "oauth_no_confirm": True,
        "display": True,
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "${PROGRESS_SERVICE}",
        "description": "The instructor's view: reads the learners' servers (sessions, check results)",
        "scopes": ["list:users", "read:users", "read:servers", "access:servers"],
        "services": ["${PROGRESS_SERVICE}"],
    }
]
`;
