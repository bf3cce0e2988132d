-- After this an email is of no use (for a session's emails, its end), null for none: a queued email
-- past it is voided instead of sent late, after an outage say.
ALTER TABLE "EmailOutbox" ADD COLUMN "sendBefore" TIMESTAMPTZ(3);
