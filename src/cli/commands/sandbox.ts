import { InvalidArgumentError, type Command } from 'commander';
import { isLoopbackHost } from '../../lib/loopback';
import { runSandbox } from '../../sandbox/run-sandbox';
import type { CliContext } from '../cli-context';

function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`Expected a whole number, got "${value}"`);
  return n;
}

export function registerSandboxCommand(program: Command, ctx: CliContext): void {
  program
    .command('sandbox')
    .description('Run the IoT platform sandbox (the assumed Olli contract, strict, with fault injection under /__admin)')
    .option('--port <port>', 'port to listen on (0 = any free port)', intOption)
    .option('--host <host>', 'address to bind')
    .option('--state-file <file>', 'persist state to this JSON file')
    .option('--token-lifetime <seconds>', 'lifetime of issued tokens', intOption)
    .option('--catalog-file <file>', 'JSON array of products ({id, name, maxDevices, active, type}) replacing the default catalogue')
    .option('--max-concurrency <n>', 'API requests handled at once, the rest wait in a queue (0 = no cap)', intOption)
    .action(async (flags: { port?: number; host?: string; stateFile?: string; tokenLifetime?: number; catalogFile?: string; maxConcurrency?: number }) => {
      const running = await runSandbox(ctx.config().sandbox, {
        port: flags.port,
        host: flags.host,
        stateFile: flags.stateFile,
        tokenLifetimeSec: flags.tokenLifetime,
        catalogFile: flags.catalogFile,
        maxConcurrentRequests: flags.maxConcurrency,
      });
      if (!isLoopbackHost(flags.host ?? ctx.config().sandbox.host)) {
        process.stderr.write(`warning: the sandbox listens beyond loopback (${running.url}); it is a development platform, never a production one; /__admin needs SANDBOX_ADMIN_TOKEN\n`);
      }
      // One JSON line on stdout so scripts and the test helper can read the address.
      ctx.print(JSON.stringify({ event: 'listening', url: running.url, clientId: running.clientId }));
      if (running.generatedSecret) {
        ctx.print(`Generated sandbox credentials (this run only): IOT_CLIENT_ID=${running.clientId} IOT_CLIENT_SECRET=${running.clientSecret}`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => {
          running.server.close().then(resolve, resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}
