-- CreateTable
CREATE TABLE "EvidenceFile" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "conversationId" TEXT NOT NULL,
    "messageId" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "size" INTEGER,
    "contentType" TEXT,
    "fileName" TEXT,
    "content" BLOB,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedBy" TEXT,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "fetchedAt" DATETIME,
    "settledAt" DATETIME,
    CONSTRAINT "EvidenceFile_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "EvidenceFile_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "EvidenceFile_messageId_key" ON "EvidenceFile"("messageId");

-- CreateIndex
CREATE INDEX "EvidenceFile_status_nextAttemptAt_idx" ON "EvidenceFile"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "EvidenceFile_conversationId_idx" ON "EvidenceFile"("conversationId");

