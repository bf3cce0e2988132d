-- CreateTable: call rates shared by every worker on this database (Google's, Resend's).
CREATE TABLE "RateBudget" (
    "name" TEXT NOT NULL,
    "nextSlotMs" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "RateBudget_pkey" PRIMARY KEY ("name")
);
