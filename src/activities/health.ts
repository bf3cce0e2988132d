import { ApplicationFailure } from '@temporalio/common';
import type { Prisma, PrismaClient } from '@prisma/client';
import { z } from 'zod';
import type { SessionMeetings } from '../client/session-meetings';
import {
  CREATION_ENDED_ACTIVE,
  CREATION_ENDED_FAILED,
  decideFailureRate,
  NOT_ALERTING,
  stateAfter,
  type FailureRateDecision,
  type FailureRatePolicy,
  type FailureRateState,
} from '../domain/failure-rate';
import { activityExecutionKey, claimAlert, insertAudit } from './audit';

export interface HealthDeps {
  prisma: PrismaClient;
  meetings: SessionMeetings;
  now?: () => Date;
}

/** A session that starts soon without a link, claimed for one `no-link-2h` alert. */
export interface SessionWithoutLink {
  sessionId: string;
  /** The start it is about, as the session's own T-2h alert names it. */
  occurrence: string;
}

const HOUR = 3_600_000;
/** A booking younger than this may still be starting its workflow: the reconciler leaves it alone. */
const RECONCILE_GRACE_MS = 60_000;
/** Sessions looked at per run: the next run takes the rest. */
const RECONCILE_BATCH = 100;
const NO_LINK_WITHIN_MS = 2 * HOUR;

const failureRatePolicySchema = z.object({
  windowMs: z.number().int().positive(),
  alertRate: z.number().min(0).max(1),
  minAttempts: z.number().int().positive(),
});

// What a failure-rate claim row holds: the decision it claimed and the state it leaves.
const failureRateClaimSchema = z.object({
  action: z.enum(['alert', 'remind', 'recover']),
  rate: z.number().nullable(),
  failed: z.number().int(),
  ended: z.number().int(),
  alerting: z.boolean(),
  lastAlertedAt: z.number().nullable(),
});

export function createHealthActivities({ prisma, meetings, now = () => new Date() }: HealthDeps) {
  const claim = (kind: string, key: string, detail: Prisma.InputJsonObject) => claimAlert(prisma, kind, key, detail);

  return {
    /**
     * Starts the workflow of confirmed future sessions that never got one (the booking service lost
     * it between its commit and the start). Only where Temporal knows no execution at all: a
     * completed, failed or cancelled workflow is never started again from here. Returns the ids started.
     */
    async reconcileSessions(): Promise<string[]> {
      const at = now();
      const candidates = await prisma.session.findMany({
        // A workflow that ran has moved its row past PENDING; one that is still PENDING may have none.
        where: { bookingStatus: 'CONFIRMED', meetingStatus: 'PENDING', startTime: { gt: at }, createdAt: { lte: new Date(at.getTime() - RECONCILE_GRACE_MS) } },
        select: { id: true },
        orderBy: { startTime: 'asc' },
        take: RECONCILE_BATCH,
      });
      const started: string[] = [];
      for (const { id } of candidates) {
        if ((await meetings.workflowStatus(id)) !== null) continue;
        const result = await meetings.startSessionMeeting(id);
        if (!result.started) continue; // started by someone else in the meantime
        await insertAudit(
          prisma,
          id,
          { action: 'WORKFLOW_STARTED', actor: 'reconciler', outcome: 'INFO', error: null, detail: { workflowId: result.workflowId, runId: result.runId } },
          `reconciled/${id}`,
        );
        started.push(id);
      }
      return started;
    },

    /**
     * Confirmed sessions starting within 2 hours with no ACTIVE link whose workflow is not running
     * (a running one sends its own T-2h alert), each claimed once per start time.
     */
    async claimSessionsWithoutLinkSoon(): Promise<SessionWithoutLink[]> {
      const at = now();
      const soon = await prisma.session.findMany({
        where: { bookingStatus: 'CONFIRMED', meetingStatus: { not: 'ACTIVE' }, startTime: { gt: at, lte: new Date(at.getTime() + NO_LINK_WITHIN_MS) } },
        select: { id: true, startTime: true, meetingStatus: true },
        orderBy: { startTime: 'asc' },
      });
      const claimed: SessionWithoutLink[] = [];
      for (const session of soon) {
        const workflowStatus = await meetings.workflowStatus(session.id);
        if (workflowStatus === 'RUNNING') continue;
        const occurrence = `s${session.startTime.getTime()}`;
        if (await claim('no-link-2h', `${session.id}@${session.startTime.toISOString()}`, { meetingStatus: session.meetingStatus, workflowStatus })) {
          claimed.push({ sessionId: session.id, occurrence });
        }
      }
      return claimed;
    },

    /**
     * The creation failure rate over the window ending now, and what to tell the admins about it.
     * An action other than `none` is claimed first: of two overlapping runs that saw the same state,
     * only one gets it (their claims name the same previous one).
     */
    async checkFailureRate(input: FailureRatePolicy): Promise<FailureRateDecision> {
      const parsed = failureRatePolicySchema.safeParse(input);
      if (!parsed.success) throw ApplicationFailure.nonRetryable(`bad failure-rate policy: ${parsed.error.message}`, 'InvalidInput');
      const policy = parsed.data;
      const ownEarlier = await prisma.adminAlertClaim.findFirst({ where: { kind: 'failure-rate', claimedBy: activityExecutionKey() } });
      if (ownEarlier) {
        const { action, rate, failed, ended } = failureRateClaimSchema.parse(ownEarlier.detail);
        return { action, rate, failed, ended };
      }

      const at = now();
      const window = { gt: new Date(at.getTime() - policy.windowMs), lte: at };
      const [failed, ended, last] = await Promise.all([
        prisma.meetingAuditEvent.count({ where: { action: { in: [...CREATION_ENDED_FAILED] }, createdAt: window } }),
        prisma.meetingAuditEvent.count({ where: { action: { in: [...CREATION_ENDED_FAILED, ...CREATION_ENDED_ACTIVE] }, createdAt: window } }),
        prisma.adminAlertClaim.findFirst({ where: { kind: 'failure-rate' }, orderBy: { id: 'desc' } }),
      ]);
      const state: FailureRateState = last ? failureRateClaimSchema.parse(last.detail) : NOT_ALERTING;
      const decision = decideFailureRate({ failed, ended }, state, policy, at.getTime());
      if (decision.action === 'none') return decision;
      const after = stateAfter(decision.action, at.getTime());
      const detail = { ...decision, ...after };
      return (await claim('failure-rate', `after:${last?.id.toString() ?? 'none'}`, detail)) ? decision : { ...decision, action: 'none' };
    },
  };
}

export type HealthActivities = ReturnType<typeof createHealthActivities>;
