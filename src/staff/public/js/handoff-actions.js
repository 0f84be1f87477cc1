// @ts-check
// The conversation's actions: assignment (take/release for agents, any account for
// supervisors and admins), the status changes the server allows, export and print.
import { api, API } from "./api.js";
import { definitions } from "./definitions.js";
import { append, clear, h, nextId } from "./dom.js";
import { consoleLanguage, label, t } from "./i18n.js";
import { announce, confirmDialog, reportError, showAlert } from "./notices.js";
import { account, isAgent } from "./session.js";
import { assignableStaff } from "./staff-list.js";
/** @import { HandoffDetail } from "./types.js" */

/**
 * @param {HTMLElement} box
 * @param {HandoffDetail} data
 * @param {string} path the handoff's API path
 * @param {() => Promise<void>} refresh the conversation view's
 */
export function renderActions(box, data, path, refresh) {
  const x = data.handoff;
  const { statuses, nextStatuses, workable } = definitions();
  clear(box);
  const titleId = box.getAttribute("aria-labelledby");
  append(box, [h("h2", { id: titleId }, t("actions.title"))]);

  /** @param {HTMLButtonElement} button @param {() => Promise<void>} fn */
  async function run(button, fn) {
    button.disabled = true;
    try {
      await fn();
      showAlert("");
      await refresh();
    } catch (err) {
      reportError(err);
    } finally {
      button.disabled = false;
    }
  }
  /** @param {string | null} staffId @param {HTMLButtonElement} button */
  const assign = (staffId, button) =>
    run(button, async () => {
      await api("POST", `${path}/assign`, { staffId });
      announce(t("assign.done"));
    });

  append(box, [assignGroup(data, workable.includes(x.status), assign)]);

  // Status: open → in progress → resolved → closed, as the server allows from this status.
  const statusBox = h("div", { class: "action-group" }, h("h3", {}, t("actions.status")), h("p", { class: "current-status" }, t("actions.current", { status: label("status", x.status) })));
  const next = nextStatuses[x.status] ?? [];
  if (next.length) {
    const buttons = h("div", { class: "button-row" });
    for (const status of statuses) {
      if (!next.includes(status)) continue;
      const button = h(
        "button",
        {
          type: "button",
          class: `btn ${status === "closed" ? "btn-danger" : ""}`,
          dataset: { focusKey: `status-${status}`, status },
          on: {
            click: async () => {
              if (status === "closed" && !(await confirmDialog(t("close.title"), t("close.body"), t("close.confirm")))) return;
              run(button, async () => {
                await api("POST", `${path}/status`, { status });
                announce(t("actions.changed", { status: label("status", status) }));
              });
            },
          },
        },
        label("statusAction", status),
      );
      buttons.append(button);
    }
    append(statusBox, [buttons]);
  }
  append(box, [statusBox]);

  // Export and print.
  const exportHref = `${API}${path}/export?lang=${encodeURIComponent(consoleLanguage())}`;
  append(box, [
    h(
      "div",
      { class: "action-group" },
      h("h3", {}, t("actions.record")),
      h(
        "div",
        { class: "button-row" },
        h("a", { class: "btn", href: exportHref, download: `safeline-handoff-${x.id}.json`, dataset: { focusKey: "export" } }, t("export.json")),
        h("a", { class: "btn", href: `#/print/${encodeURIComponent(x.id)}`, dataset: { focusKey: "print" } }, t("export.print")),
      ),
    ),
  ]);
}

/**
 * Who has the handoff, and changing that: agents (or anyone without the staff list) take and
 * release; supervisors and admins pick any active account.
 * @param {HandoffDetail} data
 * @param {boolean} workable
 * @param {(staffId: string | null, button: HTMLButtonElement) => void} assign
 */
function assignGroup(data, workable, assign) {
  const x = data.handoff;
  const me = account();
  const group = h("div", { class: "action-group" }, h("h3", {}, t("assign.title")));
  if (!workable) return append(group, [h("p", { class: "muted" }, x.assignee ? x.assignee.email : t("queue.unassigned"))]);
  const staff = assignableStaff();
  if (isAgent() || !staff.length) {
    if (!x.assignee) {
      const take = h("button", { type: "button", class: "btn btn-primary", dataset: { focusKey: "take" }, on: { click: () => assign(me.id, take) } }, t("assign.take"));
      return append(group, [take]);
    }
    if (x.assignee.id === me.id) {
      const release = h("button", { type: "button", class: "btn", dataset: { focusKey: "release" }, on: { click: () => assign(null, release) } }, t("assign.release"));
      return append(group, [release]);
    }
    return append(group, [h("p", { class: "muted" }, x.assignee.email)]);
  }
  const selectId = nextId("assign");
  const choices = [...staff];
  const assignee = x.assignee;
  if (assignee && !choices.some((s) => s.id === assignee.id)) choices.push(assignee);
  const select = h(
    "select",
    { id: selectId, dataset: { focusKey: "assign-select" } },
    h("option", { value: "", selected: !assignee }, t("assign.nobody")),
    choices.map((s) => h("option", { value: s.id, selected: assignee?.id === s.id }, s.id === me.id ? t("assign.me", { email: s.email }) : s.email)),
  );
  const button = h("button", { type: "button", class: "btn", dataset: { focusKey: "assign" }, on: { click: () => assign(select.value || null, button) } }, t("assign.save"));
  return append(group, [h("div", { class: "field" }, h("label", { for: selectId }, t("assign.to")), h("div", { class: "inline" }, select, button))]);
}
