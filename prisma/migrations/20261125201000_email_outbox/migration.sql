-- The email outbox: one row per email, sent by the workers' drainers in Resend batches.
CREATE TYPE "EmailOutboxStatus" AS ENUM ('QUEUED', 'SENDING', 'SENT', 'VOIDED', 'FAILED');

CREATE TABLE "EmailBatch" (
    "id" BIGSERIAL NOT NULL,
    "queue" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "leaseUntil" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMPTZ(3),
    "failedAt" TIMESTAMPTZ(3),

    CONSTRAINT "EmailBatch_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "EmailOutbox" (
    "id" BIGSERIAL NOT NULL,
    "queue" TEXT NOT NULL,
    "sessionId" TEXT,
    "kind" TEXT NOT NULL,
    "occurrence" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "fromAddress" TEXT NOT NULL,
    "toAddress" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "html" TEXT NOT NULL,
    "status" "EmailOutboxStatus" NOT NULL DEFAULT 'QUEUED',
    "alone" BOOLEAN NOT NULL DEFAULT false,
    "batchId" BIGINT,
    "resendId" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "EmailOutbox_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "EmailBatch_idempotencyKey_key" ON "EmailBatch"("idempotencyKey");
CREATE INDEX "EmailBatch_queue_sentAt_failedAt_leaseUntil_idx" ON "EmailBatch"("queue", "sentAt", "failedAt", "leaseUntil");
CREATE UNIQUE INDEX "EmailOutbox_key_key" ON "EmailOutbox"("key");
CREATE INDEX "EmailOutbox_queue_status_id_idx" ON "EmailOutbox"("queue", "status", "id");
CREATE INDEX "EmailOutbox_sessionId_status_idx" ON "EmailOutbox"("sessionId", "status");
CREATE INDEX "EmailOutbox_batchId_idx" ON "EmailOutbox"("batchId");

ALTER TABLE "EmailOutbox" ADD CONSTRAINT "EmailOutbox_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "EmailBatch"("id") ON DELETE SET NULL ON UPDATE CASCADE;
