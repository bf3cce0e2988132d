-- AlterTable: fleet-wide alerts (the health monitor's) belong to no session.
ALTER TABLE "MeetingAuditEvent" ALTER COLUMN "sessionId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "AdminAlertClaim" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "claimedBy" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdminAlertClaim_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AdminAlertClaim_kind_id_idx" ON "AdminAlertClaim"("kind", "id");

-- CreateIndex
CREATE UNIQUE INDEX "AdminAlertClaim_kind_key_key" ON "AdminAlertClaim"("kind", "key");
