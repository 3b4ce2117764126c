/**
 * Jupyter messages on the wire (messaging protocol 5.3): framing, HMAC
 * signing and verification, and building replies.
 *
 * A message travels as ZeroMQ frames:
 *   [ ...routing identities, "<IDS|MSG>", signature, header, parent_header,
 *     metadata, content, ...buffers ]
 * and the signature is HMAC(key, header + parent_header + metadata + content).
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const PROTOCOL_VERSION = "5.3";
const DELIMITER = "<IDS|MSG>";

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface JupyterMessage<C = Record<string, unknown>> {
  /** ZeroMQ routing identities (ROUTER sockets) or the topic (PUB). */
  identities: Buffer[];
  header: MessageHeader;
  /** Empty object when the message answers nothing. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** How frames turned out when read: a message, or why it was refused. */
export type DecodeResult =
  | { ok: true; message: JupyterMessage; signature: string }
  | { ok: false; reason: string };

export class Signer {
  constructor(
    private readonly key: string,
    private readonly scheme: string = "hmac-sha256",
  ) {
    if (key && scheme !== "hmac-sha256") {
      throw new Error(
        `The connection file asks for signature scheme "${scheme}"; this kernel supports "hmac-sha256".`,
      );
    }
  }

  sign(parts: readonly (string | Buffer)[]): string {
    if (!this.key) return "";
    const hmac = createHmac("sha256", this.key);
    for (const part of parts) hmac.update(part);
    return hmac.digest("hex");
  }

  verify(signature: string, parts: readonly Buffer[]): boolean {
    if (!this.key) return true;
    const expected = Buffer.from(this.sign(parts), "utf8");
    const given = Buffer.from(signature, "utf8");
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/**
 * Signatures already accepted, so a captured message replayed (even from
 * another socket) is refused, as jupyter_client's Session does. Bounded: the
 * oldest are forgotten first.
 */
export class SignatureHistory {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 1 << 16) {}

  /** Records `signature`; false if it was seen before. Unsigned messages (no key) are not tracked. */
  accept(signature: string): boolean {
    if (!signature) return true;
    if (this.seen.has(signature)) return false;
    this.seen.add(signature);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }
}

export function decode(frames: Buffer[], signer: Signer): DecodeResult {
  const split = frames.findIndex((f) => f.length === DELIMITER.length && f.toString() === DELIMITER);
  if (split < 0) return { ok: false, reason: "no <IDS|MSG> delimiter" };
  if (frames.length < split + 6) return { ok: false, reason: "too few frames" };
  const signature = frames[split + 1].toString();
  const signed = frames.slice(split + 2, split + 6);
  if (!signer.verify(signature, signed)) return { ok: false, reason: "bad signature" };
  try {
    const [header, parent, metadata, content] = signed.map((f) => JSON.parse(f.toString("utf8")));
    if (!header || typeof header.msg_type !== "string") return { ok: false, reason: "header has no msg_type" };
    return {
      ok: true,
      message: {
        identities: frames.slice(0, split),
        header,
        parent_header: parent ?? {},
        metadata: metadata ?? {},
        content: content ?? {},
        buffers: frames.slice(split + 6),
      },
      signature,
    };
  } catch (err) {
    return { ok: false, reason: `unreadable JSON (${(err as Error).message})` };
  }
}

export function encode(message: JupyterMessage<unknown>, signer: Signer): (Buffer | string)[] {
  const parts = [
    JSON.stringify(message.header),
    JSON.stringify(message.parent_header),
    JSON.stringify(message.metadata),
    JSON.stringify(message.content ?? {}),
  ];
  return [...message.identities, DELIMITER, signer.sign(parts), ...parts, ...message.buffers];
}

export function makeHeader(msgType: string, session: string, username: string): MessageHeader {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}
