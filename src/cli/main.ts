// `npm run cli -- <command>`: the admin and booking CLI.
import { Command, CommanderError } from 'commander';
import { createPrismaClient, type PrismaClient } from '../adapters/database';
import { checkDatabase } from '../adapters/reachability';
import { connectSessionMeetings } from '../client/connect';
import { InvalidMeetingRequestError, MeetingWorkflowClosedError, NoMeetingWorkflowError } from '../client/session-meetings';
import { ConfigError } from '../config/env';
import { BookingError, parseBooking, type BookingInput } from '../domain/booking-request';
import { parseDuration } from '../domain/durations';
import { parseTypedInstant } from '../domain/instants';
import { InvalidSessionIdError } from '../domain/meeting-ids';
import {
  MEETING_STATUSES,
  meetingStatusSearchAttribute,
  SESSION_MEETING_WORKFLOW_TYPE,
  sessionStartTimeSearchAttribute,
  type MeetingStatusView,
} from '../workflows/contract';
import { LOCAL_DATABASE_URL } from '../local/defaults';
import { bookSession } from './book';
import { meetingStats } from './stats';


/** DATABASE_URL, or the local database that `npm start` uses. */
/** A command line that makes no sense; said before anything is sent. */
class CliInputError extends Error {}

function databaseUrl(): string {
  return process.env.DATABASE_URL || LOCAL_DATABASE_URL;
}

/** The database, once it has answered: one line naming its address when it does not. */
async function connectDatabase(): Promise<PrismaClient> {
  await checkDatabase(databaseUrl());
  return createPrismaClient(databaseUrl());
}

function print(json: boolean, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
}

function describeStatus(view: MeetingStatusView): string {
  const rows: Array<[string, string | number | null]> = [
    ['session', view.sessionId],
    ['meeting status', view.meetingStatus],
    ['meeting url', view.meetingUrl],
    ['event id', view.meetingEventId],
    ['attempts', view.attempts],
    ['last error', view.lastError],
    ['start', view.startTime],
    ['end', view.endTime],
    ['next reminder', view.nextReminderAt],
  ];
  return rows.map(([label, value]) => `${label.padEnd(15)} ${value ?? '-'}`).join('\n');
}

export function buildCli(): Command {
  const program = new Command('session-meetings')
    .description('Book sessions and look after their Google Meet links')
    .option('--json', 'machine-readable output')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('book')
    .description('Write a confirmed session (and its two users, if new) and start its meeting workflow; prints the session id')
    .requiredOption('--title <title>', 'session title')
    .requiredOption('--teacher-email <email>', "teacher's email")
    .requiredOption('--student-email <email>', "student's email")
    .requiredOption('--start <when>', 'start: ISO-8601 with an offset (2026-12-01T15:00:00Z), or from now (+2d, +90m)')
    .option('--minutes <n>', 'length in minutes (default 60)')
    .option('--end <iso>', 'end instead of --minutes')
    .option('--description <text>', 'session description')
    .option('--teacher-name <name>', "teacher's name, for a new user")
    .option('--student-name <name>', "student's name, for a new user")
    .option('--teacher-tz <zone>', "teacher's IANA time zone, for a new user (default UTC)")
    .option('--student-tz <zone>', "student's IANA time zone, for a new user (default UTC)")
    .action(async (options: Record<string, string | undefined>) => {
      const input: BookingInput = {
        title: options.title,
        description: options.description,
        teacherEmail: options.teacherEmail,
        teacherName: options.teacherName,
        teacherTimeZone: options.teacherTz,
        studentEmail: options.studentEmail,
        studentName: options.studentName,
        studentTimeZone: options.studentTz,
        start: options.start,
        minutes: options.minutes,
        end: options.end,
      };
      const booking = parseBooking(input, new Date());
      const prisma = await connectDatabase();
      const temporal = await connectSessionMeetings();
      try {
        const booked = await bookSession(prisma, temporal.api, booking);
        print(program.opts().json === true, booked, booked.sessionId);
      } finally {
        await temporal.close();
        await prisma.$disconnect();
      }
    });

  program
    .command('status')
    .description("Show a session's meeting as its workflow sees it")
    .argument('<sessionId>')
    .action(async (sessionId: string) => {
      const temporal = await connectSessionMeetings();
      try {
        const view = await temporal.api.getMeetingStatus(sessionId);
        print(program.opts().json === true, view, describeStatus(view));
      } finally {
        await temporal.close();
      }
    });

  const withTemporal = async <T>(act: (temporal: Awaited<ReturnType<typeof connectSessionMeetings>>) => Promise<T>): Promise<T> => {
    const temporal = await connectSessionMeetings();
    try {
      return await act(temporal);
    } finally {
      await temporal.close();
    }
  };
  const done = (what: string, sessionId: string) => print(program.opts().json === true, { ok: true, sessionId, requested: what }, `${what} requested for session ${sessionId}`);

  program
    .command('list')
    .description('List sessions\' meeting workflows from Temporal visibility')
    .option('--status <status>', `only this MeetingStatus (${MEETING_STATUSES.join(', ')})`)
    .option('--running', 'only workflows still running')
    .option('--limit <n>', 'at most this many', '50')
    .action(async (options: { status?: string; running?: boolean; limit: string }) => {
      const status = options.status?.toUpperCase();
      if (status !== undefined && !(MEETING_STATUSES as readonly string[]).includes(status)) {
        throw new CliInputError(`--status must be one of ${MEETING_STATUSES.join(', ')}`);
      }
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliInputError('--limit must be a positive whole number');
      const clauses = [`WorkflowType = '${SESSION_MEETING_WORKFLOW_TYPE}'`];
      if (status) clauses.push(`MeetingStatus = '${status}'`);
      if (options.running) clauses.push(`ExecutionStatus = 'Running'`);
      const rows = await withTemporal(async ({ client }) => {
        const found = [];
        for await (const execution of client.workflow.list({ query: clauses.join(' AND '), pageSize: Math.min(limit, 100) })) {
          found.push({
            sessionId: execution.workflowId.replace(/^session-meeting-/, ''),
            meetingStatus: execution.typedSearchAttributes.get(meetingStatusSearchAttribute) ?? null,
            sessionStartTime: execution.typedSearchAttributes.get(sessionStartTimeSearchAttribute)?.toISOString() ?? null,
            workflowStatus: execution.status.name,
          });
          if (found.length >= limit) break;
        }
        return found;
      });
      const human = rows.length === 0 ? 'no sessions found' : rows.map((r) => [r.sessionId.padEnd(28), String(r.meetingStatus).padEnd(10), (r.sessionStartTime ?? '-').padEnd(25), r.workflowStatus].join(' ')).join('\n');
      print(program.opts().json === true, rows, human);
    });

  const adminRequests = [
    { name: 'cancel', description: 'Cancel the meeting: delete the Calendar event, tell both, end the workflow', send: 'cancelSessionMeeting' },
    { name: 'regenerate', description: 'Replace the meeting link with a new one and email both (from ACTIVE or FAILED)', send: 'regenerateMeetingLink' },
  ] as const;
  for (const request of adminRequests) {
    program
      .command(request.name)
      .description(request.description)
      .argument('<sessionId>')
      .option('--reason <text>', 'why (audited)')
      .option('--actor <who>', 'who asks (audited)', process.env.USER ?? 'cli')
      .action(async (sessionId: string, options: { reason?: string; actor: string }) => {
        await withTemporal(({ api }) => api[request.send](sessionId, { reason: options.reason, actor: options.actor }));
        done(request.name, sessionId);
      });
  }

  program
    .command('retry-failed')
    .description('Ask every running session whose meeting is FAILED for a new link (e.g. once Google access is back); prints how many')
    .option('--reason <text>', 'why (audited)', 'retry after an outage')
    .option('--actor <who>', 'who asks (audited)', process.env.USER ?? 'cli')
    .action(async (options: { reason: string; actor: string }) => {
      const asked = await withTemporal(({ api }) => api.regenerateAllFailed({ reason: options.reason, actor: options.actor }));
      print(program.opts().json === true, { ok: true, regenerateRequested: asked }, `regenerate requested for ${asked.length} failed ${asked.length === 1 ? 'session' : 'sessions'}`);
    });

  program
    .command('reschedule')
    .description('Move the session to new times; the Meet link stays, reminders move, both are told')
    .argument('<sessionId>')
    .requiredOption('--start <when>', 'new start: ISO-8601 with an offset, or from now (+2d, +90m)')
    .option('--minutes <n>', 'new length in minutes (default: keep the end given by --end)')
    .option('--end <iso>', 'new end, ISO-8601 with an offset')
    .option('--actor <who>', 'who asks (audited)', process.env.USER ?? 'cli')
    .action(async (sessionId: string, options: { start: string; minutes?: string; end?: string; actor: string }) => {
      if ((options.minutes === undefined) === (options.end === undefined)) throw new CliInputError('give --minutes or --end (one of them)');
      if (options.minutes !== undefined && !(Number.isInteger(Number(options.minutes)) && Number(options.minutes) > 0)) {
        throw new CliInputError('--minutes must be a positive whole number');
      }
      // A start that does not parse goes on as typed, for the client's validation to name it.
      const start = parseTypedInstant(options.start, new Date());
      const startTime = start?.toISOString() ?? options.start;
      const endTime = options.end ?? (start ? new Date(start.getTime() + Number(options.minutes) * 60_000).toISOString() : '');
      await withTemporal(({ api }) => api.rescheduleSession(sessionId, { startTime, endTime, actor: options.actor }));
      done('reschedule', sessionId);
    });

  program
    .command('stats')
    .description('Creation success and failure rates, and sessions without a link (from the database)')
    .option('--since <duration>', 'sessions created in this window, e.g. 7d, 24h', '30d')
    .action(async (options: { since: string }) => {
      let windowMs: number;
      try {
        windowMs = parseDuration(options.since);
      } catch (error) {
        throw new CliInputError(`--since: ${(error as Error).message}`);
      }
      const prisma = await connectDatabase();
      try {
        const now = new Date();
        const stats = await meetingStats(prisma, new Date(now.getTime() - windowMs), now);
        const pct = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);
        const human = [
          `sessions created since ${stats.since}: ${stats.sessions}`,
          ...Object.entries(stats.byStatus).map(([status, count]) => `  ${status.padEnd(10)} ${count}`),
          `creation success rate      ${pct(stats.creationSuccessRate)}`,
          `creation failure rate      ${pct(stats.creationFailureRate)}`,
          `first-attempt success rate ${pct(stats.firstAttemptSuccessRate)}`,
          `upcoming without a link    ${stats.upcomingWithoutLink}`,
          `  starting within 2 hours  ${stats.startingWithin2hWithoutLink}`,
        ].join('\n');
        print(program.opts().json === true, stats, human);
      } finally {
        await prisma.$disconnect();
      }
    });

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const known = [BookingError, ConfigError, NoMeetingWorkflowError, MeetingWorkflowClosedError, InvalidMeetingRequestError, InvalidSessionIdError, CliInputError].some((type) => error instanceof type);
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!known && error instanceof Error && error.stack && process.env.DEBUG) process.stderr.write(`${error.stack}\n`);
    return known ? 2 : 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
