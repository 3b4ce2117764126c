/**
 * Building a model makes tensors (its initial weights), so the compute
 * backend must have started. tfjs's own message ("the highest priority
 * backend 'wasm' has not yet been initialized") does not tell a learner what
 * to do; this one does.
 */
import * as tf from "@tensorflow/tfjs";

interface EngineState {
  backendInstance?: unknown;
  pendingBackendInit?: unknown;
}

/** True when tfjs has a backend ready to make tensors. */
export function backendReady(): boolean {
  const engine = tf.engine() as unknown as EngineState;
  return engine.backendInstance != null && engine.pendingBackendInit == null;
}

export function requireBackend(what: string): void {
  if (!backendReady()) {
    throw new Error(
      `${what} needs the compute backend, which has not started yet. Run \`await useBackend()\` once ` +
        `(at the top of the notebook), then build the model.`,
    );
  }
}
