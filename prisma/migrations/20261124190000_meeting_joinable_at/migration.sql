-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "meetingJoinableAt" TIMESTAMPTZ(3);

