/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario agent's command block and operations, shared by the agent
 * (agent.c: PID 1 and the kernel agent tasks) and the user-task programs
 * (user.c). The host's copy is harness/agent/protocol.ts: keep the layouts
 * and numbers equal.
 */
#ifndef _WASM_AGENT_H
#define _WASM_AGENT_H
#include <linux/types.h>
#include <linux/wait.h>

struct wasm_agent_cmd {
	u32 id;			/*   0 */
	u32 op;			/*   4 */
	s32 fd;			/*   8 */
	u32 flags;		/*  12 */
	u32 mode;		/*  16 */
	u32 buf;		/*  20: kernel address (from ALLOC) */
	u64 off;		/*  24 */
	u64 len;		/*  32 */
	char path[128];		/*  40 */
	char path2[128];	/* 168 */
	char str[128];		/* 296: MOUNT: fstype in str[0..63], data in str[64..] */
	u64 args[6];		/* 424: SYSCALL: the argument slots */
};				/* 472 */

enum wasm_agent_op {
	AGENT_NOP, AGENT_SPAWN, AGENT_MKDIR, AGENT_MOUNT, AGENT_UMOUNT,
	AGENT_OPEN, AGENT_CLOSE, AGENT_ALLOC, AGENT_FREE, AGENT_READ,
	AGENT_WRITE, AGENT_FSYNC, AGENT_TRUNCATE, AGENT_FALLOCATE,
	AGENT_DROP_CACHE, AGENT_SYNC, AGENT_PIN_CPU,
	/* user.c: run by an agent task */
	AGENT_USER_SPAWN,
	/* user.c: run by a user task's program */
	AGENT_SYSCALL, AGENT_USER_READ, AGENT_USER_WRITE, AGENT_USER_TOUCH,
	AGENT_USER_PUT,
	/* agent.c: a loop device over a file */
	AGENT_LOOP_ATTACH,
};

/* The doorbell wakes every agent task and user-task program waiting here. */
extern struct wait_queue_head wasm_agent_wq;

/* agent.c: at boot, an executable file whose content is `magic` (a binfmt's program). */
int wasm_agent_make_exec(const char *path, const char *magic);

/* user.c: USER_SPAWN (in an agent task): a user task whose program reads queue c->fd; returns its pid. */
long wasm_user_spawn(struct wasm_agent_cmd *c);
#endif
