/**
 * A minimal WASI preview1 host that runs a command-style module (`_start`) entirely in memory:
 * arguments in, files the program writes captured as buffers, nothing touches the disk.
 *
 * Why not `node:wasi`: on Node 20.20 running flite through `node:wasi` several times in one
 * process segfaults the whole process deterministically (voices kal16 → slt → rms, reproduced
 * under gdb in Builtins_KeyedLoadIC_Megamorphic). A crash of the TTS must never take calls down,
 * and flite needs only 13 host calls, so we implement them here. It also avoids temp files.
 */

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_SPIPE = 70;
const FILETYPE_CHARACTER_DEVICE = 2;
const FILETYPE_DIRECTORY = 3;
const FILETYPE_REGULAR_FILE = 4;
const PREOPEN_FD = 3;

class ProcExit {
  constructor(readonly code: number) {}
}

interface MemFile {
  name: string;
  posBytes: number;
  sizeBytes: number;
  writes: Array<{ at: number; data: Uint8Array }>;
}

export interface WasiRunResult {
  exitCode: number;
  /** Files the program created, by the path it opened. */
  files: Map<string, Uint8Array>;
  stdout: string;
  stderr: string;
}

function assemble(file: MemFile): Uint8Array {
  const out = new Uint8Array(file.sizeBytes);
  for (const w of file.writes) out.set(w.data, w.at);
  return out;
}

/** Runs `module` once with `args` (args[0] is the program name). Synchronous: the caller decides where. */
export function runWasiCommand(module: WebAssembly.Module, args: string[]): WasiRunResult {
  const encoder = new TextEncoder();
  const argBytes = args.map((a) => encoder.encode(`${a}\0`));
  const open = new Map<number, MemFile>();
  const created = new Map<string, MemFile>();
  const stdio: [Uint8Array[], Uint8Array[]] = [[], []];
  let nextFd = PREOPEN_FD + 1;
  let memory: WebAssembly.Memory | undefined;

  const view = () => new DataView(memory!.buffer);
  const bytes = () => new Uint8Array(memory!.buffer);

  const imports = {
    args_sizes_get(countPtr: number, sizePtr: number) {
      const v = view();
      v.setUint32(countPtr, argBytes.length, true);
      v.setUint32(sizePtr, argBytes.reduce((n, b) => n + b.length, 0), true);
      return ERRNO_SUCCESS;
    },
    args_get(argvPtr: number, bufPtr: number) {
      const v = view();
      let at = bufPtr;
      argBytes.forEach((b, i) => {
        v.setUint32(argvPtr + 4 * i, at, true);
        bytes().set(b, at);
        at += b.length;
      });
      return ERRNO_SUCCESS;
    },
    clock_time_get(_id: number, _precision: bigint, timePtr: number) {
      view().setBigUint64(timePtr, BigInt(Date.now()) * 1_000_000n, true);
      return ERRNO_SUCCESS;
    },
    fd_close(fd: number) {
      open.delete(fd);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_get(fd: number, statPtr: number) {
      const v = view();
      const type = fd <= 2 ? FILETYPE_CHARACTER_DEVICE : fd === PREOPEN_FD ? FILETYPE_DIRECTORY : FILETYPE_REGULAR_FILE;
      v.setUint8(statPtr, type);
      v.setUint16(statPtr + 2, 0, true);
      v.setBigUint64(statPtr + 8, 0xffff_ffffn, true);
      v.setBigUint64(statPtr + 16, 0xffff_ffffn, true);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_set_flags() {
      return ERRNO_SUCCESS;
    },
    fd_prestat_get(fd: number, prestatPtr: number) {
      if (fd !== PREOPEN_FD) return ERRNO_BADF;
      const v = view();
      v.setUint8(prestatPtr, 0);
      v.setUint32(prestatPtr + 4, 1, true);
      return ERRNO_SUCCESS;
    },
    fd_prestat_dir_name(fd: number, pathPtr: number) {
      if (fd !== PREOPEN_FD) return ERRNO_BADF;
      bytes()[pathPtr] = ".".charCodeAt(0);
      return ERRNO_SUCCESS;
    },
    fd_read(_fd: number, _iovs: number, _iovsLen: number, nreadPtr: number) {
      view().setUint32(nreadPtr, 0, true);
      return ERRNO_SUCCESS;
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number) {
      const file = open.get(fd);
      if (!file) return ERRNO_SPIPE;
      const delta = Number(offset);
      file.posBytes = whence === 0 ? delta : whence === 1 ? file.posBytes + delta : file.sizeBytes + delta;
      view().setBigUint64(newOffsetPtr, BigInt(file.posBytes), true);
      return ERRNO_SUCCESS;
    },
    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number) {
      const v = view();
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = v.getUint32(iovs + 8 * i, true);
        const len = v.getUint32(iovs + 8 * i + 4, true);
        const data = bytes().slice(ptr, ptr + len);
        const file = open.get(fd);
        if (file) {
          file.writes.push({ at: file.posBytes, data });
          file.posBytes += len;
          file.sizeBytes = Math.max(file.sizeBytes, file.posBytes);
        } else if (fd === 1 || fd === 2) {
          stdio[fd - 1]!.push(data);
        }
        total += len;
      }
      v.setUint32(nwrittenPtr, total, true);
      return ERRNO_SUCCESS;
    },
    path_open(
      _dirFd: number, _dirFlags: number, pathPtr: number, pathLen: number, _oflags: number,
      _rightsBase: bigint, _rightsInheriting: bigint, _fdFlags: number, fdPtr: number,
    ) {
      const name = new TextDecoder().decode(bytes().slice(pathPtr, pathPtr + pathLen));
      const file: MemFile = { name, posBytes: 0, sizeBytes: 0, writes: [] };
      const fd = nextFd++;
      open.set(fd, file);
      created.set(name, file);
      view().setUint32(fdPtr, fd, true);
      return ERRNO_SUCCESS;
    },
    proc_exit(code: number) {
      throw new ProcExit(code);
    },
  };

  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: imports });
  memory = instance.exports.memory as WebAssembly.Memory;
  let exitCode = 0;
  try {
    (instance.exports._start as () => void)();
  } catch (err) {
    if (err instanceof ProcExit) exitCode = err.code;
    else throw err;
  }
  const decode = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString("utf8");
  const files = new Map<string, Uint8Array>();
  for (const [name, file] of created) files.set(name, assemble(file));
  return { exitCode, files, stdout: decode(stdio[0]), stderr: decode(stdio[1]) };
}
