// `npm run cli -- <command>`: the admin and booking CLI.
import { Command, CommanderError } from 'commander';
import { createPrismaClient } from '../adapters/database';
import { connectSessionMeetings } from '../client/connect';
import { NoMeetingWorkflowError } from '../client/session-meetings';
import { ConfigError } from '../config/worker-config';
import { BookingError, parseBooking, type BookingInput } from '../domain/booking-request';
import type { MeetingStatusView } from '../workflows/contract';
import { LOCAL_DATABASE_URL } from '../local/defaults';
import { bookSession } from './book';


/** DATABASE_URL, or the local database that `npm start` uses. */
function databaseUrl(): string {
  return process.env.DATABASE_URL || LOCAL_DATABASE_URL;
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
    .requiredOption('--start <iso>', 'start, ISO-8601 with an offset, e.g. 2026-12-01T15:00:00Z')
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
      const prisma = createPrismaClient(databaseUrl());
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

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const known = error instanceof BookingError || error instanceof ConfigError || error instanceof NoMeetingWorkflowError;
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
