-- CreateTable
CREATE TABLE "AutoClear" (
    "conversationId" TEXT NOT NULL PRIMARY KEY,
    "minutes" INTEGER NOT NULL,
    "dueAt" DATETIME,
    "holdUntil" DATETIME,
    CONSTRAINT "AutoClear_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "AutoClear_dueAt_idx" ON "AutoClear"("dueAt");
