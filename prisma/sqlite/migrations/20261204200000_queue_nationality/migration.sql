-- The staff queue shows the person's nationality (kept in the flow's snapshot) without reading snapshots.
-- Written as ADD COLUMN rather than Prisma's table copy, so columns others add in parallel are kept.
-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN "nationality" TEXT;

-- Existing conversations whose snapshot is stored as plain JSON get the nationality chosen in it;
-- encrypted snapshots get it at their next step.
UPDATE "Conversation" SET "nationality" = json_extract("snapshot", '$.context.nationality')
  WHERE json_valid("snapshot") AND json_type("snapshot", '$.context.nationality') = 'text';
