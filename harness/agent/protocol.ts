// The command block shared with the in-kernel agent
// (kernel-src/arch/wasm/agent/agent.c, struct wasm_agent_cmd): the same
// offsets on both sides.

export const AgentOp = {
  NOP: 0, SPAWN: 1, MKDIR: 2, MOUNT: 3, UMOUNT: 4, OPEN: 5, CLOSE: 6, ALLOC: 7, FREE: 8,
  READ: 9, WRITE: 10, FSYNC: 11, TRUNCATE: 12, FALLOCATE: 13, DROP_CACHE: 14, SYNC: 15, PIN_CPU: 16,
  // kernel-src/arch/wasm/agent/user.c: USER_SPAWN runs in an agent task; the others in a user task's program.
  USER_SPAWN: 17, SYSCALL: 18, USER_READ: 19, USER_WRITE: 20, USER_TOUCH: 21, USER_PUT: 22,
  // agent.c: a free loop device over a file (path2), flags 1 = direct I/O (async kiocbs); returns its number.
  LOOP_ATTACH: 23,
} as const;
export type AgentOpName = keyof typeof AgentOp;

/** READ/WRITE flag: an asynchronous kiocb (ki_complete reports the completion). */
export const AGENT_ASYNC = 1;

export interface AgentCommand {
  op: AgentOpName;
  fd?: number;
  flags?: number;
  /** File mode; SYSCALL: fail the n-th fault point the call reaches (fail-nth; 0 or absent: none). */
  mode?: number;
  buf?: number;
  off?: number;
  len?: number;
  path?: string;
  path2?: string;
  /** SPAWN: the task's name; MOUNT: the filesystem type. */
  str?: string;
  /** MOUNT: the mount data (options). */
  data?: string;
  /** SYSCALL: the six 64-bit argument slots (missing ones are 0). */
  args?: readonly (number | bigint)[];
}

export const CMD_SIZE = 472;
const OFF = { id: 0, op: 4, fd: 8, flags: 12, mode: 16, buf: 20, off: 24, len: 32, path: 40, path2: 168, str: 296, data: 360, args: 424 } as const;
const STR_MAX = { path: 128, path2: 128, str: 64, data: 64 } as const;

const utf8 = new TextEncoder();

export function encodeCommand(mem: Uint8Array, at: number, id: number, c: AgentCommand): void {
  mem.fill(0, at, at + CMD_SIZE);
  const dv = new DataView(mem.buffer, mem.byteOffset);
  dv.setUint32(at + OFF.id, id, true);
  dv.setUint32(at + OFF.op, AgentOp[c.op], true);
  dv.setInt32(at + OFF.fd, c.fd ?? -1, true);
  dv.setUint32(at + OFF.flags, c.flags ?? 0, true);
  dv.setUint32(at + OFF.mode, c.mode ?? 0, true);
  dv.setUint32(at + OFF.buf, c.buf ?? 0, true);
  dv.setBigUint64(at + OFF.off, BigInt(c.off ?? 0), true);
  dv.setBigUint64(at + OFF.len, BigInt(c.len ?? 0), true);
  const args = c.args ?? [];
  if (args.length > 6) throw new Error(`agent command ${c.op}: at most 6 system call arguments`);
  args.forEach((a, i) => dv.setBigUint64(at + OFF.args + 8 * i, BigInt.asUintN(64, BigInt(a)), true));
  for (const k of ["path", "path2", "str", "data"] as const) {
    const v = c[k];
    if (v === undefined) continue;
    const bytes = utf8.encode(v);
    if (bytes.length >= STR_MAX[k]) throw new Error(`agent command ${c.op}: ${k} longer than ${STR_MAX[k] - 1} bytes`);
    mem.set(bytes, at + OFF[k]);
  }
}
