-- AlterTable
ALTER TABLE "Message" ADD COLUMN "claimedBy" TEXT;

-- CreateTable
CREATE TABLE "OutboxProcess" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "startedAt" DATETIME NOT NULL,
    "heartbeatAt" DATETIME NOT NULL
);

