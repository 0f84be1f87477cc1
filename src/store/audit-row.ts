// An audit entry as stored: one mapping for Prisma's writes and the writer's SQL.
import type { AuditInput } from "./staff-types.ts";

export function auditData(input: AuditInput) {
  return {
    actorId: input.actor.id,
    actorEmail: input.actor.email,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    detail: input.detail ? JSON.stringify(input.detail) : null,
  };
}
