-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "meetingWriteSeq" INTEGER NOT NULL DEFAULT 0;
