// User-mode tasks and their system calls, AIO and io_uring (issue 4).
export * from "./abi.ts";
export { UserTask, UserError, type SpawnOptions, type BufferOptions, type UserBuffer, type Iovec, type SyscallArg } from "./task.ts";
export { AioContext, encodeIocb, decodeEvents, type Iocb, type IoEvent, type PendingGetEvents } from "./aio.ts";
export { IoUring, encodeSqe, type Sqe, type Cqe } from "./uring.ts";
export { enableFailNth, sweepFailNth, FAIL_NTH_KNOBS, MAX_FAIL_NTH, type FailNthStep } from "./faults.ts";
