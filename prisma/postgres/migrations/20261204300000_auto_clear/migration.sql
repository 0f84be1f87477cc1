-- CreateTable
CREATE TABLE "AutoClear" (
    "conversationId" TEXT NOT NULL,
    "minutes" INTEGER NOT NULL,
    "dueAt" TIMESTAMP(3),
    "holdUntil" TIMESTAMP(3),

    CONSTRAINT "AutoClear_pkey" PRIMARY KEY ("conversationId")
);

-- CreateIndex
CREATE INDEX "AutoClear_dueAt_idx" ON "AutoClear"("dueAt");

-- AddForeignKey
ALTER TABLE "AutoClear" ADD CONSTRAINT "AutoClear_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
