import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** The real `rackops-relay` entry point as a child process (through tsx), with its output captured. */
export class AgentProcess {
  readonly output: string[] = [];
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(configPath: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The emulator accepts any credentials; the agent uses the SDK's default chain like in production.
      env: {
        ...process.env,
        NODE_NO_WARNINGS: '1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
    });
    this.child.stdout?.on('data', (d: Buffer) => this.output.push(d.toString('utf8')));
    this.child.stderr?.on('data', (d: Buffer) => this.output.push(d.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}
