-- CreateTable
CREATE TABLE "AdminAlertClaim" (
    "key" TEXT NOT NULL,
    "claimedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdminAlertClaim_pkey" PRIMARY KEY ("key")
);
