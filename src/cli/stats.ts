import type { PrismaClient } from '@prisma/client';
import { MEETING_STATUSES, type MeetingStatus } from '../workflows/contract';

export interface MeetingStats {
  since: string;
  sessions: number;
  byStatus: Record<MeetingStatus, number>;
  /** Of the sessions whose creation has finished (ACTIVE or FAILED), the share that got a link. */
  creationSuccessRate: number | null;
  creationFailureRate: number | null;
  /** Of the links made, the share made by the first attempt. */
  firstAttemptSuccessRate: number | null;
  /** Confirmed sessions still to start that have no link. */
  upcomingWithoutLink: number;
  /** ... of which start within the next 2 hours: the spec's alarm. */
  startingWithin2hWithoutLink: number;
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** The admin's numbers, from the read model: sessions created since `since`, and what is coming up. */
export async function meetingStats(prisma: PrismaClient, since: Date, now: Date): Promise<MeetingStats> {
  const created = { createdAt: { gte: since } };
  const [groups, linkedFirstTry, upcoming, soon] = await Promise.all([
    prisma.session.groupBy({ by: ['meetingStatus'], where: created, _count: { _all: true } }),
    prisma.session.count({ where: { ...created, meetingCreatedAt: { not: null }, meetingRetryCount: 0 } }),
    prisma.session.count({ where: { bookingStatus: 'CONFIRMED', startTime: { gt: now }, meetingUrl: null } }),
    prisma.session.count({ where: { bookingStatus: 'CONFIRMED', startTime: { gt: now, lte: new Date(now.getTime() + 2 * 3_600_000) }, meetingUrl: null } }),
  ]);
  const byStatus = Object.fromEntries(MEETING_STATUSES.map((status) => [status, 0])) as Record<MeetingStatus, number>;
  for (const group of groups) byStatus[group.meetingStatus] = group._count._all;
  const finished = byStatus.ACTIVE + byStatus.FAILED;
  const linked = await prisma.session.count({ where: { ...created, meetingCreatedAt: { not: null } } });
  return {
    since: since.toISOString(),
    sessions: Object.values(byStatus).reduce((a, b) => a + b, 0),
    byStatus,
    creationSuccessRate: rate(byStatus.ACTIVE, finished),
    creationFailureRate: rate(byStatus.FAILED, finished),
    firstAttemptSuccessRate: rate(linkedFirstTry, linked),
    upcomingWithoutLink: upcoming,
    startingWithin2hWithoutLink: soon,
  };
}
