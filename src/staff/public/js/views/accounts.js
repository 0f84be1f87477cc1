// @ts-check
// Staff accounts (admins): create, change role, disable and enable, lift a lock.
import { api, ApiError } from "../api.js";
import { definitions } from "../definitions.js";
import { append, clear, h, preserveFocus } from "../dom.js";
import { formatTime, timeEl } from "../format.js";
import { label, t } from "../i18n.js";
import { announce, errorText, reportError, showAlert, viewProblem } from "../notices.js";
import { session } from "../session.js";
import { heading, setTitle } from "../view-parts.js";
/** @import { Account, View } from "../types.js" */

/** @param {HTMLElement} root @returns {View} */
export function accountsView(root) {
  const { roles, limits } = definitions();
  const min = limits.passwordMin;
  setTitle(t("accounts.title"));
  const problem = h("div");
  const list = h("div", { class: "table-wrap" });
  const email = h("input", { id: "new-email", type: "email", name: "email", autocomplete: "off", required: true });
  const role = h("select", { id: "new-role", name: "role" }, roles.map((r) => h("option", { value: r }, label("role", r))));
  const password = h("input", { id: "new-password", type: "password", name: "password", autocomplete: "new-password", minlength: min, required: true, "aria-describedby": "new-password-hint" });
  const formError = h("p", { class: "form-error", role: "alert" });
  const create = h(
    "form",
    { class: "panel stack create-account", on: { submit: onCreate } },
    h("h2", {}, t("accounts.create")),
    h("div", { class: "field" }, h("label", { for: "new-email" }, t("accounts.email")), email),
    h("div", { class: "field" }, h("label", { for: "new-role" }, t("accounts.role")), role),
    h("div", { class: "field" }, h("label", { for: "new-password" }, t("accounts.password")), password, h("p", { class: "hint", id: "new-password-hint" }, t("accounts.passwordHint", { min }))),
    formError,
    h("div", {}, h("button", { type: "submit", class: "btn btn-primary" }, t("accounts.submit"))),
  );
  append(root, [h("section", { class: "accounts" }, heading(t("accounts.title")), problem, h("div", { class: "panel" }, list), create)]);

  /** @param {SubmitEvent} e */
  async function onCreate(e) {
    e.preventDefault();
    formError.textContent = "";
    if (!email.value.trim() || password.value.length < min) {
      formError.textContent = t("accounts.invalid", { min });
      return;
    }
    try {
      const data = await api("POST", "/accounts", { email: email.value.trim(), role: role.value, password: password.value });
      announce(t("accounts.created", { email: data.account?.email ?? email.value.trim() }));
      email.value = "";
      password.value = "";
      await refresh();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      formError.textContent = err instanceof ApiError && err.status === 409 ? t("accounts.exists") : errorText(err);
    }
  }

  /** @param {Account} account @param {Record<string, unknown>} change @param {HTMLButtonElement} button */
  async function update(account, change, button) {
    button.disabled = true;
    try {
      await api("POST", `/accounts/${encodeURIComponent(account.id)}`, change);
      announce(t("accounts.updated", { email: account.email }));
      showAlert("");
      await refresh();
    } catch (err) {
      reportError(err);
      button.disabled = false;
    }
  }

  /** One account's row; `cols`: the column names (each cell's label on narrow screens). @param {Account} a @param {string[]} cols */
  function accountRow(a, cols) {
    const self = a.id === session()?.account.id;
    const selectId = `role-${a.id}`;
    const select = h("select", { id: selectId, dataset: { focusKey: `role-${a.id}` } }, roles.map((r) => h("option", { value: r, selected: a.role === r }, label("role", r))));
    const roleButton = h("button", { type: "button", class: "btn btn-small", dataset: { focusKey: `rolebtn-${a.id}` }, on: { click: () => select.value !== a.role && update(a, { role: select.value }, roleButton) } }, t("accounts.changeRole"));
    const toggle = h(
      "button",
      { type: "button", class: `btn btn-small ${a.active ? "btn-danger" : ""}`, dataset: { focusKey: `active-${a.id}` }, disabled: self, on: { click: () => update(a, { active: !a.active }, toggle) } },
      a.active ? t("accounts.disable") : t("accounts.enable"),
    );
    const locked = a.lockedUntil && new Date(a.lockedUntil).getTime() > Date.now();
    const unlock = locked ? h("button", { type: "button", class: "btn btn-small", dataset: { focusKey: `unlock-${a.id}` }, on: { click: (/** @type {{ currentTarget: HTMLButtonElement }} */ e) => update(a, { unlock: true }, e.currentTarget) } }, t("accounts.unlock")) : null;
    /** @type {import("../dom.js").Children[]} */
    const status = [h("span", { class: `badge ${a.active ? "badge-ok" : "badge-off"}` }, a.active ? t("accounts.active") : t("accounts.disabled"))];
    if (locked) status.push(" ", h("span", { class: "badge badge-warn" }, t("accounts.lockedUntil", { time: formatTime(a.lockedUntil) })));
    const cells = [
      [h("span", { class: "email" }, a.email), self ? h("span", { class: "muted" }, ` ${t("accounts.you")}`) : null],
      h("div", { class: "inline" }, h("label", { for: selectId, class: "visually-hidden" }, t("accounts.roleFor", { email: a.email })), select, roleButton),
      status,
      timeEl(a.createdAt),
      h("div", { class: "button-row" }, toggle, unlock),
    ];
    return h("tr", { dataset: { accountId: a.id, email: a.email } }, cells.map((c, i) => h("td", { dataset: { label: cols[i] } }, c)));
  }

  /** @param {{ live?: boolean }} [options] */
  async function refresh({ live = false } = {}) {
    if (live) return;
    /** @type {{ accounts?: Account[] }} */
    let data;
    try {
      data = await api("GET", "/accounts");
    } catch (err) {
      viewProblem(problem, err);
      return;
    }
    clear(problem);
    const cols = [t("accounts.colEmail"), t("accounts.colRole"), t("accounts.colStatus"), t("accounts.colCreated"), t("accounts.colActions")];
    preserveFocus(list, () => {
      clear(list);
      append(list, [
        h(
          "table",
          { class: "data-table accounts-table" },
          h("caption", { class: "visually-hidden" }, t("accounts.title")),
          h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, (data.accounts ?? []).map((a) => accountRow(a, cols))),
        ),
      ]);
    });
  }
  return { refresh };
}
