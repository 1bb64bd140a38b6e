import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';

export interface Started {
  child: ChildProcess;
  /** Why it exited, once it has. */
  exited: () => string | undefined;
  /** Stops the whole process group (the emulator is a shell script that starts java). */
  stop: () => Promise<void>;
}

/**
 * Starts a server in its own process group with output to a log file, so that stop() can take
 * down the children it spawns too, and registers a last-chance kill when this process exits.
 */
export function startProcess(command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Started {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env });
  let exitReason: string | undefined;
  child.on('error', (err) => (exitReason = err.message));
  child.on('exit', (code, signal) => (exitReason ??= `exit code ${code ?? signal}`));
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  const onExit = () => kill('SIGKILL');
  process.on('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    if (exitReason !== undefined || child.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
    // The group may outlive its leader (java under the emulator's shell script).
    kill('SIGKILL');
  };
  return { child, exited: () => exitReason, stop };
}
