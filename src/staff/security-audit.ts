// Console security events in the audit log (who, what, which route; never an address, a
// typed e-mail or a body), at most one entry per event, actor and client address a minute
// with the count of those held back (SecurityEvents).
import type { Logger } from "../log.ts";
import { SecurityEvents } from "../http/security-events.ts";
import type { Store } from "../store/store.ts";
import type { AuditInput } from "../store/staff-types.ts";

/** The actor of events from someone not signed in. */
export const ANONYMOUS: AuditInput["actor"] = { id: null, email: "anonymous" };

export class SecurityAudit {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly events = new SecurityEvents();

  constructor(store: Store, log: Logger) {
    this.store = store;
    this.log = log;
  }

  async record(action: string, address: string, actor: AuditInput["actor"] = ANONYMOUS, target?: { targetType: string; targetId: string }): Promise<void> {
    let entry: AuditInput | undefined;
    this.events.report(`${action} ${actor.id ?? ""}`, address, (count) => {
      entry = { actor, action, ...target, detail: { count } };
    });
    if (!entry) return;
    await this.store.staff.audit(entry).catch((error: unknown) => this.log.error({ err: (error as Error).name, action }, "security event not audited"));
  }
}
