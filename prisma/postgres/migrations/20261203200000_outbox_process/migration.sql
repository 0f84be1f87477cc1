-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "claimedBy" TEXT;

-- CreateTable
CREATE TABLE "OutboxProcess" (
    "id" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "heartbeatAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OutboxProcess_pkey" PRIMARY KEY ("id")
);

