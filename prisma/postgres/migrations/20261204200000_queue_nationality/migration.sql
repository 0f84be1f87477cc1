-- The staff queue shows the person's nationality (kept in the flow's snapshot) without reading snapshots.
-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "nationality" TEXT;

-- Existing conversations whose snapshot is stored as plain JSON get the nationality chosen in it;
-- encrypted snapshots get it at their next step.
UPDATE "Conversation" SET "nationality" = ("snapshot"::jsonb #>> '{context,nationality}')
  WHERE "snapshot" LIKE '{%' AND jsonb_typeof("snapshot"::jsonb #> '{context,nationality}') = 'string';
