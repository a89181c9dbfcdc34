import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cli-process.js';

/** A spawned `cni-fleet rehearse` whose stderr can be waited on. */
export interface Rehearsal {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves when stderr contains `text` (rejects when the process ends first or after 60 s). */
  waitFor(text: string | RegExp): Promise<void>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startRehearsal(args: readonly string[], env: NodeJS.ProcessEnv): Rehearsal {
  const child = spawn(process.execPath, [CLI, 'rehearse', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { test: (s: string) => boolean; resolve: () => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => void (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const w of waiters.splice(0)) if (w.test(err)) w.resolve();
    else waiters.push(w);
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor(text) {
      const test = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s));
      if (test(err)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${String(text)}" on stderr within 60 s:\n${err}`)), 60_000);
        waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
        void exit.then(() => {
          clearTimeout(timer);
          if (!test(err)) reject(new Error(`the rehearsal ended before "${String(text)}":\n${err}`));
        });
      });
    },
  };
}

