/**
 * The wire thread's view into the main thread, through V8's inspector: it
 * answers even while a learner's loop holds the main thread.
 */
import { Session } from "node:inspector";

let session: Session | null = null;

function mainThread(): Session {
  if (!session) {
    session = new Session();
    session.connectToMainThread();
  }
  return session;
}

/** Ends the JavaScript the main thread runs now (a loop that never yields). */
export function terminateMainThreadExecution(): void {
  mainThread().post("Runtime.terminateExecution");
}

/** Bytes in use on the main thread's JavaScript heap. */
export function mainThreadHeapUsed(): Promise<number> {
  return new Promise((resolve, reject) => {
    mainThread().post("Runtime.getHeapUsage", (error, result) => {
      if (error) reject(error);
      else resolve((result as { usedSize: number }).usedSize);
    });
  });
}

/** Lets the wire thread end (an open session would keep it, and the process, alive). */
export function disconnectMainThread(): void {
  session?.disconnect();
  session = null;
}
