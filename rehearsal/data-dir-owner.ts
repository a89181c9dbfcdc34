import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { CniFleetError } from '../lib/errors.js';

/** The file in a rehearsal's data folder that says which process uses it, and for which run. */
export const OWNER_FILE = 'cni-fleet-owner.json';

/** Who uses (or used) a data folder. */
export interface DataDirOwner {
  readonly pid: number;
  /** The process's start time in clock ticks (Linux `/proc/PID/stat`), so a reused pid is not taken for it. */
  readonly startTicks?: string | undefined;
  /** What it runs, e.g. `cni-fleet rehearse`. */
  readonly command: string;
  /** The run it rehearses: what a later rehearsal closes if this process died without closing it. */
  readonly runId: string | null;
  /** ISO 8601. */
  readonly startedAt: string;
  /**
   * Where a running rehearsal answers other processes (`cni-fleet approve|reject|pause|resume|status --local`): its
   * DynamoDB (the progress log it holds open) and its Step Functions endpoint (SendTaskSuccess/Failure, StopExecution).
   */
  readonly endpoints?: { readonly dynamodb: string; readonly stepFunctions: string } | undefined;
}

/** A second process wants a data folder that a running one holds (LevelDB allows one process per folder). */
export class DataDirInUseError extends CniFleetError {
  override readonly name = 'DataDirInUseError' as const;
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner | null,
  ) {
    super(
      owner
        ? `${dataDir} is in use by process ${owner.pid} (${owner.command}${owner.runId ? `, run ${owner.runId}` : ''}, since ${owner.startedAt}): wait for it to end or stop it, or pass another --data-dir`
        : `${dataDir} is in use by another process (it recorded no owner): wait for it to end, or pass another --data-dir`,
    );
  }
}

/** A claimed folder: who held it before (a process that died without releasing it), and how to let it go. */
export interface DataDirClaim {
  /** The dead process that left the folder, or null when it was free. */
  readonly previous: DataDirOwner | null;
  /** Deletes the owner file if it is still this process's. Safe to call twice. */
  release(): void;
  /** Records where this process answers others (its endpoints) in the owner file. */
  advertise(endpoints: NonNullable<DataDirOwner['endpoints']>): void;
}

/** The start time of a process in clock ticks (field 22 of /proc/PID/stat), where /proc exists. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3, the state.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function readOwner(file: string): DataDirOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DataDirOwner>;
    if (typeof parsed.pid !== 'number') return null;
    return {
      pid: parsed.pid,
      startTicks: typeof parsed.startTicks === 'string' ? parsed.startTicks : undefined,
      command: typeof parsed.command === 'string' ? parsed.command : 'cni-fleet',
      runId: typeof parsed.runId === 'string' ? parsed.runId : null,
      startedAt: typeof parsed.startedAt === 'string' ? parsed.startedAt : 'an unknown time',
      endpoints:
        typeof parsed.endpoints?.dynamodb === 'string' && typeof parsed.endpoints.stepFunctions === 'string'
          ? { dynamodb: parsed.endpoints.dynamodb, stepFunctions: parsed.endpoints.stepFunctions }
          : undefined,
    };
  } catch {
    return null;
  }
}

/**
 * Whether another process has the folder's LevelDB open. LevelDB takes an OS lock on its LOCK file, which the OS
 * drops when the process dies (kill -9 included), so this is the truth; the owner file only names the holder.
 */
async function levelDbInUse(dataDir: string): Promise<boolean> {
  const db = new Level(dataDir);
  try {
    await db.open();
    return false;
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    if (/lock/i.test(cause)) return true;
    throw error;
  } finally {
    await db.close().catch(() => undefined);
  }
}

/**
 * The running process that holds a data folder, when one does (its owner file names it, endpoints included); null
 * when the folder is free.
 *
 * @example
 * const owner = await runningOwner('.rehearsal/dynamo'); // owner?.endpoints?.stepFunctions
 */
export async function runningOwner(dataDir: string): Promise<DataDirOwner | null> {
  if (!(await levelDbInUse(dataDir))) return null;
  return readOwner(join(dataDir, OWNER_FILE)) ?? { pid: 0, command: 'another process', runId: null, startedAt: 'an unknown time' };
}

/**
 * Checks that no running process holds a data folder, without claiming it (a reader such as `cni-fleet history`).
 *
 * @throws DataDirInUseError naming the folder and the process holding it
 * @example
 * await assertDataDirFree('.rehearsal/dynamo');
 */
export async function assertDataDirFree(dataDir: string): Promise<void> {
  if (await levelDbInUse(dataDir)) throw new DataDirInUseError(dataDir, readOwner(join(dataDir, OWNER_FILE)));
}

/**
 * Claims a rehearsal's data folder for this process and its run: refuses a folder another running process
 * holds, and reports the owner a dead process left behind (killed, crashed) so the caller can close what that
 * process left open (lib/steps/cleanup-execution.ts abortRun) and say so.
 *
 * @throws DataDirInUseError naming the folder and the process holding it
 * @example
 * const claim = await claimDataDir('.rehearsal/dynamo', { command: 'cni-fleet rehearse', runId });
 * if (claim.previous?.runId) console.error(`recovering run ${claim.previous.runId} of process ${claim.previous.pid}`);
 * // … the rehearsal …
 * claim.release();
 */
export async function claimDataDir(dataDir: string, who: { readonly command: string; readonly runId: string | null }): Promise<DataDirClaim> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, OWNER_FILE);
  if (await levelDbInUse(dataDir)) throw new DataDirInUseError(dataDir, readOwner(file));
  const previous = readOwner(file);
  const me: DataDirOwner = { pid: process.pid, startTicks: processStartTicks(process.pid), command: who.command, runId: who.runId, startedAt: new Date().toISOString() };
  // Write then rename: a reader never sees half a file, and a dead owner's file is replaced in one step.
  const write = (owner: DataDirOwner): void => {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(owner)}\n`);
    renameSync(temporary, file);
  };
  write(me);
  const mine = (owner: DataDirOwner | null): boolean => owner?.pid === me.pid && owner.startedAt === me.startedAt;
  return {
    previous,
    release() {
      if (mine(readOwner(file))) rmSync(file, { force: true });
    },
    advertise(endpoints) {
      if (mine(readOwner(file))) write({ ...me, endpoints });
    },
  };
}
