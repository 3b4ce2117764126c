/**
 * Comms: channels between kernel-side objects and front-end widgets
 * (comm_open / comm_msg / comm_close, and comm_info).
 */
import { randomUUID } from "node:crypto";
import type { Comm, CommHost } from "../../lib/display/protocol";

export type CommSend = (msgType: "comm_open" | "comm_msg" | "comm_close", content: Record<string, unknown>) => void;

class KernelComm implements Comm {
  private messageHandlers: ((data: unknown) => void)[] = [];
  private closeHandlers: ((data: unknown) => void)[] = [];
  closed = false;

  constructor(readonly id: string, readonly target: string, private readonly sendRaw: CommSend, private readonly forget: (id: string) => void) {}

  send(data: unknown): void {
    if (this.closed) throw new Error(`Comm ${this.id} (${this.target}) is closed.`);
    this.sendRaw("comm_msg", { comm_id: this.id, data: data ?? {} });
  }

  close(data?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.sendRaw("comm_close", { comm_id: this.id, data: data ?? {} });
    this.forget(this.id);
  }

  onMessage(handler: (data: unknown) => void): void {
    this.messageHandlers.push(handler);
  }

  onClose(handler: (data: unknown) => void): void {
    this.closeHandlers.push(handler);
  }

  receive(data: unknown): void {
    for (const h of this.messageHandlers) h(data);
  }

  closedByFrontend(data: unknown): void {
    this.closed = true;
    for (const h of this.closeHandlers) h(data);
  }
}

export class CommManager implements CommHost {
  private readonly targets = new Map<string, (comm: Comm, data: unknown) => void>();
  private readonly comms = new Map<string, KernelComm>();

  constructor(private readonly sendRaw: CommSend) {}

  registerTarget(target: string, onOpen: (comm: Comm, data: unknown) => void): void {
    this.targets.set(target, onOpen);
  }

  open(target: string, data: unknown = {}): Comm {
    const comm = this.create(randomUUID(), target);
    this.sendRaw("comm_open", { comm_id: comm.id, target_name: target, data });
    return comm;
  }

  /** comm_open from the front end. Unknown targets are closed again, as ipykernel does. */
  handleOpen(content: Record<string, unknown>): void {
    const id = String(content.comm_id);
    const target = String(content.target_name);
    const onOpen = this.targets.get(target);
    if (!onOpen) {
      this.sendRaw("comm_close", { comm_id: id, data: {} });
      return;
    }
    onOpen(this.create(id, target), content.data ?? {});
  }

  handleMessage(content: Record<string, unknown>): void {
    this.comms.get(String(content.comm_id))?.receive(content.data ?? {});
  }

  handleClose(content: Record<string, unknown>): void {
    const id = String(content.comm_id);
    const comm = this.comms.get(id);
    this.comms.delete(id);
    comm?.closedByFrontend(content.data ?? {});
  }

  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const [id, comm] of this.comms) {
      if (!targetName || comm.target === targetName) out[id] = { target_name: comm.target };
    }
    return out;
  }

  private create(id: string, target: string): KernelComm {
    const comm = new KernelComm(id, target, this.sendRaw, (gone) => this.comms.delete(gone));
    this.comms.set(id, comm);
    return comm;
  }
}
