// The user-side objects of a booted kernel (tasks, AIO contexts, rings) by
// the agent they run on, so that the after-run probes (harness/oracles)
// can reap what a scenario left behind. Each entry keeps the command that
// created it: after a snapshot restore, objects made after the snapshot
// no longer exist in the kernel and are left out.
import type { Agent } from "../agent/api.ts";
import type { CommandRecord } from "../agent/host.ts";

interface Live<T> {
  made: CommandRecord;
  value: T;
}

const registry = new WeakMap<Agent, Map<string, Live<unknown>[]>>();

export function register<T>(agent: Agent, kind: string, made: CommandRecord, value: T): void {
  const byKind = registry.get(agent) ?? new Map<string, Live<unknown>[]>();
  registry.set(agent, byKind);
  const list = byKind.get(kind) ?? [];
  list.push({ made, value });
  byKind.set(kind, list);
}

/** The objects of `kind` that exist in the machine's current state. */
export function live<T>(agent: Agent, kind: string): T[] {
  const list = (registry.get(agent)?.get(kind) ?? []) as Live<T>[];
  return list.filter((l) => agent.host.records[l.made.id - 1]?.queuedNs === l.made.queuedNs && agent.host.records[l.made.id - 1]?.command === l.made.command).map((l) => l.value);
}
