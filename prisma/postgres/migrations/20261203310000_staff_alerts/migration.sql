-- CreateTable
CREATE TABLE "StaffAlert" (
    "id" SERIAL NOT NULL,
    "handoffId" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "target" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "StaffAlert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StaffAlert_status_nextAttemptAt_idx" ON "StaffAlert"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "StaffAlert_handoffId_round_target_key" ON "StaffAlert"("handoffId", "round", "target");

-- AddForeignKey
ALTER TABLE "StaffAlert" ADD CONSTRAINT "StaffAlert_handoffId_fkey" FOREIGN KEY ("handoffId") REFERENCES "HandoffRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

