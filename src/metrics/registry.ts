import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PrismaClient } from '@prisma/client';
import { oldestWaitingEmail } from '../email-outbox/outbox';
import { MEETING_STATUSES } from '../workflows/contract';
import type { MeetingMetrics } from './recorder';

/** A session "starts soon" within this much: the alert on sessions without a link looks this far ahead. */
export const WITHOUT_LINK_HORIZON_MS = 2 * 3600_000;

// From a second to an hour: a first attempt takes seconds, the last retry starts after 10.5 minutes.
const TIME_TO_LINK_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600];

export interface ProjectMetrics {
  registry: Registry;
  recorder: MeetingMetrics;
}

/**
 * The project's metrics in their own registry, with the names DESIGN.md fixes. Counters count what
 * this process did; the gauges are read from the database at each scrape, so every worker agrees.
 * `outboxQueue`: the task queue whose email outbox the workers drain.
 */
export function createProjectMetrics(prisma: PrismaClient, outboxQueue: string, now: () => Date = () => new Date()): ProjectMetrics {
  const registry = new Registry();
  const creations = new Counter({
    name: 'session_meetings_creations_total',
    help: 'Meeting creations (a first link or a regeneration) that ended, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const timeToLink = new Histogram({
    name: 'session_meetings_time_to_link_seconds',
    help: "Seconds from a link generation's first attempt to its link being stored",
    buckets: TIME_TO_LINK_BUCKETS,
    registers: [registry],
  });
  const googleRequests = new Counter({
    name: 'session_meetings_google_requests_total',
    help: 'Google Calendar API calls by method, HTTP status (or network) and Google error reason',
    labelNames: ['method', 'code', 'reason'] as const,
    registers: [registry],
  });
  const emails = new Counter({
    name: 'session_meetings_emails_total',
    help: 'Emails handed to Resend, by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const adminAlerts = new Counter({
    name: 'session_meetings_admin_alerts_total',
    help: 'Admin alerts raised, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'session_meetings_sessions',
    help: 'Sessions not yet over, by meeting status (read from the database when scraped)',
    labelNames: ['meeting_status'] as const,
    registers: [registry],
    async collect() {
      const groups = await prisma.session.groupBy({ by: ['meetingStatus'], where: { endTime: { gt: now() } }, _count: { _all: true } });
      for (const status of MEETING_STATUSES) {
        this.set({ meeting_status: status }, groups.find((group) => group.meetingStatus === status)?._count._all ?? 0);
      }
    },
  });
  new Gauge({
    name: 'session_meetings_sessions_without_link_soon',
    help: 'Confirmed sessions starting within 2 hours without an ACTIVE meeting link (read from the database when scraped)',
    registers: [registry],
    async collect() {
      const from = now();
      const count = await prisma.session.count({
        where: {
          bookingStatus: 'CONFIRMED',
          startTime: { gt: from, lte: new Date(from.getTime() + WITHOUT_LINK_HORIZON_MS) },
          meetingStatus: { not: 'ACTIVE' },
        },
      });
      this.set(count);
    },
  });
  new Gauge({
    name: 'session_meetings_email_outbox_oldest_waiting_seconds',
    help: 'Age of the oldest email not yet accepted by Resend, still worth sending (0: none waits; read from the database when scraped)',
    registers: [registry],
    async collect() {
      const at = now();
      const oldest = await oldestWaitingEmail(prisma, outboxQueue, at);
      this.set(oldest ? Math.max(0, (at.getTime() - oldest.getTime()) / 1_000) : 0);
    },
  });

  return {
    registry,
    recorder: {
      creationEnded(outcome, secondsToLink) {
        creations.inc({ outcome });
        if (secondsToLink !== undefined) timeToLink.observe(secondsToLink);
      },
      googleRequest: (method, code, reason) => googleRequests.inc({ method, code, reason }),
      emailSent: (kind, outcome) => emails.inc({ kind, outcome }),
      adminAlerted: (kind) => adminAlerts.inc({ kind }),
    },
  };
}
