-- AlterTable: when the budget's latest calls went (at most one second's worth), so that callers who
-- wake late together (a stalled process) cannot send more than a second's worth in any second.
ALTER TABLE "RateBudget" ADD COLUMN "recentSentMs" DOUBLE PRECISION[] NOT NULL DEFAULT ARRAY[]::DOUBLE PRECISION[];
