// The Calendar stand-in as a process of its own, as Google is to the workers: its options (port,
// conference behaviour, `enforceCallsPerSecond`, `organizerQuota`...) as one JSON argument; it prints
// `listening <url>` and serves until SIGTERM or SIGINT. Read and change it over /__standin/.
import { z } from 'zod';
import { callLimitSettingsInput } from './call-limits';
import { startGoogleCalendarStandin } from './google-calendar';

const options = z
  .object({
    port: z.number().int().min(0).max(65535).optional(),
    host: z.string().optional(),
    latencyMs: z.number().min(0).optional(),
    pendingPolls: z.number().int().min(0).optional(),
    outcome: z.enum(['success', 'failure']).optional(),
  })
  .extend(callLimitSettingsInput.shape)
  .strict();

async function main(): Promise<void> {
  const parsed = options.safeParse(JSON.parse(process.argv[2] ?? '{}'));
  if (!parsed.success) throw new Error(`bad options: ${parsed.error.message}`);
  const { enforceCallsPerSecond, organizerQuota, ...rest } = parsed.data;
  const standin = await startGoogleCalendarStandin({ ...rest, enforceCallsPerSecond: enforceCallsPerSecond ?? undefined, organizerQuota: organizerQuota ?? undefined });
  process.stdout.write(`listening ${standin.url}\n`);
  const stop = () => void standin.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
