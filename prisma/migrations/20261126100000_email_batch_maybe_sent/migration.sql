-- When a try of the batch may first have reached Resend (null: no try did): Resend forgets the
-- batch's idempotency key 24 hours after it, so the batch is sent again only within that window.
ALTER TABLE "EmailBatch" ADD COLUMN "maybeSentAt" TIMESTAMPTZ(3);

-- Batches still unfinished when this runs may have reached Resend since they were made.
UPDATE "EmailBatch" SET "maybeSentAt" = "createdAt" WHERE "sentAt" IS NULL AND "failedAt" IS NULL;
