/** Ports: a clear message when the asked one is taken, and free ones (asked of the OS) for the hub's internal services. */
import { createServer } from "node:net";

export class PortInUseError extends Error {}

/** Resolves when bind:port can be listened on; throws a PortInUseError that says what to do otherwise. */
export function assertPortFree(bind: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(new PortInUseError(`Port ${port} on ${bind} is already in use (another program, or a lab server that is still running). Stop it, or choose another port with --port.`));
      } else if (error.code === "EADDRNOTAVAIL") {
        reject(new PortInUseError(`${bind} is not an address of this machine; use --bind 127.0.0.1 (default), 0.0.0.0 (all) or one of its addresses.`));
      } else {
        reject(new PortInUseError(`Cannot listen on ${bind}:${port}: ${error.message}`));
      }
    });
    server.listen(port, bind, () => server.close(() => resolve()));
  });
}

/** A port that is free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
