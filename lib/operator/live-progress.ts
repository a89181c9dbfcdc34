import cliProgress from 'cli-progress';
import type { ClusterRunView } from './cluster-run-view.js';
import { clusterLine } from './render-progress.js';
import type { RunProgress } from './run-progress.js';

/** Shows a run's progress while it is watched; `stop()` leaves the terminal clean for the final table. */
export interface LiveProgress {
  update(progress: RunProgress): void;
  stop(): void;
}

/** Where the live view goes. */
export interface LiveProgressOptions {
  readonly stream: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Cluster bars at most (running clusters first); the run bar counts all of them. Default 15. */
  readonly maxClusterBars?: number;
}

/**
 * A live view for `status --watch` and `start --wait`. On a terminal: a bar for the run (clusters done) and a
 * bar per cluster (hops done of its plan, its status and current step), redrawn in place. Elsewhere (a pipe, CI):
 * one line whenever the execution or a cluster changes, so a log shows each transition once.
 *
 * @example
 * const live = createLiveProgress({ stream: process.stderr });
 * await watchRun(read, { intervalMs: 5000, maxPolls: 10_000, onUpdate: (p) => live.update(p) });
 * live.stop();
 */
export function createLiveProgress(options: LiveProgressOptions): LiveProgress {
  return options.stream.isTTY ? barProgress(options) : lineProgress(options.stream);
}

function lineProgress(stream: NodeJS.WritableStream): LiveProgress {
  const seen = new Map<string, string>();
  let execution = '';
  return {
    update(progress) {
      const e = progress.execution ?? { name: progress.runId, status: progress.run?.status ?? 'UNKNOWN', error: null };
      const head = `${e.status}${e.error ? ` ${e.error}` : ''}`;
      if (head !== execution) {
        execution = head;
        stream.write(`execution ${e.name}: ${head}\n`);
      }
      for (const c of progress.clusters) {
        const line = clusterLine(c);
        if (seen.get(c.clusterKey) === line) continue;
        seen.set(c.clusterKey, line);
        stream.write(`${line}\n`);
      }
    },
    stop() {},
  };
}

type Bar = ReturnType<cliProgress.MultiBar['create']>;

const isActive = (c: ClusterRunView): boolean => c.status === 'RUNNING' || c.status === 'PENDING';

function barProgress(options: LiveProgressOptions): LiveProgress {
  const maxBars = options.maxClusterBars ?? 15;
  const multibar = new cliProgress.MultiBar(
    { format: ' {label} {bar} {value}/{total} {unit} | {detail}', barsize: 16, hideCursor: true, clearOnComplete: false, stopOnComplete: false, stream: options.stream, autopadding: true },
    cliProgress.Presets.shades_classic,
  );
  const runBar = multibar.create(1, 0, { label: 'run'.padEnd(20), unit: 'clusters', detail: 'starting' });
  const bars = new Map<string, Bar>();
  let stopped = false;
  return {
    update(progress) {
      const t = progress.totals;
      runBar.setTotal(Math.max(1, t.clusters));
      runBar.update(t.done, { detail: `${progress.execution?.status ?? progress.run?.status ?? ''} · hops ${t.hopsDone}/${t.hopCount}` });
      // Small fleets show every cluster; large ones the clusters in flight, so the view fits a terminal.
      const shown = progress.clusters.length <= maxBars ? progress.clusters : [...progress.clusters.filter(isActive), ...progress.clusters.filter((c) => !isActive(c))].slice(0, maxBars);
      const keep = new Set(shown.map((c) => c.clusterKey));
      for (const [key, bar] of bars) {
        if (keep.has(key)) continue;
        multibar.remove(bar);
        bars.delete(key);
      }
      for (const c of shown) {
        const payload = { label: c.name.slice(0, 20).padEnd(20), unit: 'hops', detail: `${c.status}${c.step ? ` ${c.step}` : ''}${c.error ? ` ${c.error.name}` : ''}` };
        let bar = bars.get(c.clusterKey);
        if (!bar) {
          bar = multibar.create(Math.max(1, c.hopCount), c.hopsDone, payload);
          bars.set(c.clusterKey, bar);
        }
        bar.setTotal(Math.max(1, c.hopCount));
        // A cluster that needs no hop is complete when it ends.
        bar.update(c.hopCount === 0 && !isActive(c) ? 1 : c.hopsDone, payload);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multibar.stop();
    },
  };
}
