-- The queue and the Reports view sort by risk in the database (src/store/risk-rank.ts).
-- Written as ADD COLUMN rather than Prisma's table copy, so columns others add in parallel are kept.
-- AlterTable
ALTER TABLE "HandoffRequest" ADD COLUMN "riskRank" INTEGER NOT NULL DEFAULT 4;

-- AlterTable
ALTER TABLE "Report" ADD COLUMN "riskRank" INTEGER NOT NULL DEFAULT 4;

-- Existing rows get the rank of the risk they already have.
UPDATE "HandoffRequest" SET "riskRank" = CASE "risk" WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END;
UPDATE "Report" SET "riskRank" = CASE "risk" WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END;

-- CreateIndex
CREATE INDEX "HandoffRequest_status_riskRank_createdAt_id_idx" ON "HandoffRequest"("status", "riskRank", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Report_consent_riskRank_createdAt_id_idx" ON "Report"("consent", "riskRank", "createdAt", "id");
