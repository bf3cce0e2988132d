-- AlterTable
ALTER TABLE "MeetingAuditEvent" ALTER COLUMN "sessionId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "MonitorAlertClaim" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "claimedBy" TEXT NOT NULL,
    "detail" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MonitorAlertClaim_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MonitorAlertClaim_kind_id_idx" ON "MonitorAlertClaim"("kind", "id");

-- CreateIndex
CREATE UNIQUE INDEX "MonitorAlertClaim_kind_key_key" ON "MonitorAlertClaim"("kind", "key");

