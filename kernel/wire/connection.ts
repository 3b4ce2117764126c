/** The connection file Jupyter writes for a kernel it starts. */
import { readFileSync } from "node:fs";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  kernel_name?: string;
}

export function readConnectionFile(path: string): ConnectionInfo {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`Cannot read the connection file ${path}: ${(err as Error).message}. ` +
      "Jupyter passes it as `-f {connection_file}` when it starts the kernel.", { cause: err });
  }
  const info = JSON.parse(raw) as Partial<ConnectionInfo>;
  for (const field of ["ip", "shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"] as const) {
    if (info[field] === undefined) throw new Error(`The connection file ${path} has no "${field}".`);
  }
  return {
    transport: info.transport ?? "tcp",
    key: info.key ?? "",
    signature_scheme: info.signature_scheme ?? "hmac-sha256",
    ...info,
  } as ConnectionInfo;
}

export function endpoint(info: ConnectionInfo, port: number): string {
  return info.transport === "ipc" ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}
