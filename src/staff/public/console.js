// SafeLine staff console: a plain browser ES module (no framework, no build step).
//
// Safety rules for this file:
// - Data from the API is only ever put into the page with textContent / createElement /
//   setAttribute (the h() helper below). Data is never parsed as HTML or run as code.
// - Every visible word comes from locales/console/<lang>.json (GET /staff/api/texts/:lang).
// - Every POST carries Content-Type: application/json and X-CSRF-Token.
// The API contract is docs/staff-console.md.

const API = "/staff/api";
const CONSOLE_LANGS = ["ko", "en"];
const BOT_LANGUAGES = ["ko", "en", "zh", "vi", "th", "id", "km", "ja"];
const STATUSES = ["open", "in_progress", "resolved", "closed"];
/**
 * Status changes offered per status. The server decides (409 otherwise); this mirrors its
 * rules so the console does not offer buttons that can only fail.
 */
const NEXT_STATUSES = {
  open: ["in_progress", "resolved", "closed"],
  in_progress: ["open", "resolved", "closed"],
  resolved: ["in_progress", "closed"],
  closed: [],
  erased: [],
};
/** Statuses in which staff can still reply, write notes and assign. */
const WORKABLE = ["open", "in_progress", "resolved"];
const RISKS = ["critical", "high", "medium", "low"];
const CHANNELS = ["telegram", "line", "web"];
const ROLES = ["agent", "supervisor", "admin"];
const REPLY_MAX = 3500;
const NOTE_MAX = 10000;
const PASSWORD_MIN = 12;
const AUDIT_PAGE = 50;
const REFRESH_DEBOUNCE_MS = 300;
const WAIT_TICK_MS = 30_000;

const LS_LANG = "safeline.console.lang";
const SS_FILTERS = "safeline.console.filters";
const DRAFT_PREFIX = "safeline.console.draft.";
const draftKey = (kind, id) => `${DRAFT_PREFIX}${kind}.${id}`;

/** On an explicit sign-out drafts go too (they may hold personal details). */
function forgetDrafts() {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(DRAFT_PREFIX)) sessionStorage.removeItem(key);
  } catch {
    /* ignore */
  }
}

const state = {
  lang: "en",
  texts: {},
  /** { account: {id, email, role, ...}, csrf } while signed in. */
  me: null,
  filters: { status: "", risk: "", channel: "", language: "" },
  /** Active staff accounts for assignment (supervisors and admins only). */
  staff: [],
  /** Handoff ids already seen, to announce new ones. Null until the first queue load. */
  knownIds: null,
  events: null,
  refreshTimer: 0,
  /** The current view: { key, refresh(opts), dispose() }. */
  view: null,
  viewKey: "",
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- texts

function t(key, params = {}) {
  const text = Object.hasOwn(state.texts, key) ? state.texts[key] : key;
  return text.replace(/{{\s*(\w+)\s*}}/g, (_, name) => (Object.hasOwn(params, name) ? String(params[name]) : ""));
}

/** A label for a value of an enumeration (status, risk, …); the raw value when unknown. */
function label(prefix, value) {
  const key = `${prefix}.${value}`;
  return Object.hasOwn(state.texts, key) ? state.texts[key] : String(value);
}

const languageName = (code) => (code ? label("language", code) : t("language.unknown"));
const riskLabel = (risk) => label("risk", risk ?? "none");
/** The nationality chosen in the flow (in a family report, the missing person's); "not asked" when none. */
const nationalityName = (code) => (code ? label("nationality", code) : t("nationality.unknown"));

function pickLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(LS_LANG);
  } catch {
    /* storage may be blocked */
  }
  if (CONSOLE_LANGS.includes(stored)) return stored;
  return (navigator.language || "").toLowerCase().startsWith("ko") ? "ko" : "en";
}

async function loadTexts(lang) {
  const res = await fetch(`${API}/texts/${lang}`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!res.ok) throw new Error(`texts ${res.status}`);
  state.texts = await res.json();
  state.lang = lang;
  document.documentElement.lang = lang;
}

function applyStaticTexts() {
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-t-aria-label]")) el.setAttribute("aria-label", t(el.dataset.tAriaLabel));
  for (const btn of document.querySelectorAll(".lang-btn")) btn.setAttribute("aria-pressed", String(btn.dataset.lang === state.lang));
  $("confirm-cancel").textContent = t("common.cancel");
  renderWhoami();
}

// ---------------------------------------------------------------- DOM helpers

/**
 * createElement with props and children. Strings become text nodes (never HTML).
 * props: class, text, dataset, on: {event: fn}, boolean/value props, anything else → attribute.
 */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    else if (key === "on") for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (key === "value" || key === "checked" || key === "disabled" || key === "hidden" || key === "selected" || key === "required")
      el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function clear(el) {
  el.replaceChildren();
  return el;
}

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

/** Only http(s) links from data (a map URL); anything else is not linked. */
function safeHttpUrl(value) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value, location.href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Re-renders `container` and puts the focus back on the element with the same data-focus-key. */
function preserveFocus(container, render) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset?.focusKey : undefined;
  render();
  if (key) {
    const again = [...container.querySelectorAll("[data-focus-key]")].find((el) => el.dataset.focusKey === key);
    if (again && !again.disabled) again.focus({ preventScroll: true });
  }
}

function badge(kind, value, text) {
  return h("span", { class: `badge badge-${kind} ${kind}-${String(value).replace(/[^a-z_]/gi, "")}`, dataset: { [kind]: value } }, text);
}

function dl(rows, className = "meta") {
  return h(
    "dl",
    { class: className },
    rows.filter(Boolean).map(([term, value]) => h("div", { class: "meta-row" }, h("dt", {}, term), h("dd", {}, value))),
  );
}

// ---------------------------------------------------------------- formatting

function locale() {
  return state.lang === "ko" ? "ko-KR" : "en-GB";
}

function formatTime(iso, withDate = true) {
  if (!iso) return t("common.none");
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const options = withDate ? { dateStyle: "medium", timeStyle: "short" } : { timeStyle: "short" };
  return new Intl.DateTimeFormat(locale(), options).format(date);
}

function timeEl(iso) {
  return h("time", { datetime: iso ?? undefined }, formatTime(iso));
}

function formatWait(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return t("wait.lessThanMinute");
  if (minutes < 60) return t("wait.minutes", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t("wait.hours", { h: hours, m: minutes % 60 });
  return t("wait.days", { d: Math.floor(hours / 24), h: hours % 24 });
}

/** A waiting time that keeps counting on the client (see tickWaits). */
function waitEl(waitingSeconds) {
  const since = Date.now() - Math.max(0, Number(waitingSeconds) || 0) * 1000;
  return h("span", { class: "waiting", dataset: { since } }, formatWait(Date.now() - since));
}

function tickWaits() {
  for (const el of document.querySelectorAll("[data-since]")) el.textContent = formatWait(Date.now() - Number(el.dataset.since));
}

const coordinates = (loc) => t("location.coordinates", { latitude: Number(loc.latitude).toFixed(5), longitude: Number(loc.longitude).toFixed(5) });

function locationBlock(loc) {
  const href = safeHttpUrl(loc.mapUrl);
  return h(
    "p",
    { class: "location" },
    h("span", { class: "coords" }, coordinates(loc)),
    " ",
    href
      ? h("a", { href, target: "_blank", rel: "noopener noreferrer", class: "map-link" }, t("location.openMap"), h("span", { class: "visually-hidden" }, ` ${t("common.newTab")}`))
      : null,
  );
}

// ---------------------------------------------------------------- messages to the user

/** Polite announcement (success, new items); also shown briefly as a toast. */
let toastTimer = 0;
function announce(text) {
  const live = $("live");
  live.textContent = "";
  // A new text node in a fresh task so screen readers announce repeats too.
  setTimeout(() => {
    live.textContent = text;
    live.classList.add("visible");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => live.classList.remove("visible"), 5000);
  }, 30);
}

function showAlert(text) {
  const box = $("alert");
  clear(box);
  if (!text) return;
  append(box, [
    h("span", { class: "alert-text" }, text),
    h("button", { type: "button", class: "btn btn-quiet alert-close", on: { click: () => showAlert("") } }, t("common.dismiss")),
  ]);
}

function errorText(err) {
  if (!(err instanceof ApiError)) return t("error.unexpected");
  switch (err.status) {
    case 0:
      return t("error.network");
    case 400:
      return t("error.invalid");
    case 403:
      return err.code === "csrf" ? t("error.csrf") : t("error.forbidden");
    case 404:
      return t("error.notFound");
    case 409:
      return err.code === "erased" ? t("error.erased") : t("error.conflict");
    case 429:
      return t("error.tooMany");
    default:
      return t("error.server", { status: err.status });
  }
}

/** Shows an API error; a 401 has already brought up the sign-in form. */
function reportError(err) {
  if (err instanceof ApiError && err.status === 401) return;
  if (!(err instanceof ApiError)) console.error(err);
  showAlert(errorText(err));
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, body, headers) {
    super(body && typeof body.error === "string" ? body.error : `http_${status}`);
    this.status = status;
    this.code = body && typeof body.error === "string" ? body.error : null;
    this.body = body;
    this.retryAfterSeconds = Number(body?.retryAfterSeconds ?? headers?.get?.("Retry-After") ?? NaN);
  }
}

async function api(method, path, body, { retryCsrf = true } = {}) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" };
  if (method !== "GET") {
    init.headers["Content-Type"] = "application/json";
    if (state.me?.csrf) init.headers["X-CSRF-Token"] = state.me.csrf;
    init.body = JSON.stringify(body ?? {});
  }
  let res;
  try {
    res = await fetch(API + path, init);
  } catch {
    throw new ApiError(0, { error: "network" });
  }
  let data = null;
  if (res.status !== 204) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (res.ok) return data;
  const err = new ApiError(res.status, data, res.headers);
  if (res.status === 401 && path !== "/login") sessionEnded();
  else if (res.status === 403 && err.code === "csrf" && retryCsrf && method !== "GET" && state.me) {
    // The token may be from an older session: fetch the current one and try once more.
    const me = await api("GET", "/me");
    state.me = me;
    return api(method, path, body, { retryCsrf: false });
  }
  throw err;
}

// ---------------------------------------------------------------- session

function renderWhoami() {
  const who = $("whoami");
  if (!state.me) {
    who.textContent = "";
    return;
  }
  who.textContent = t("header.signedInAs", { email: state.me.account.email, role: label("role", state.me.account.role) });
}

const isAdmin = () => state.me?.account.role === "admin";
const isAgent = () => state.me?.account.role === "agent";

function showChrome(signedIn) {
  $("nav").hidden = !signedIn;
  $("whoami").hidden = !signedIn;
  $("signout").hidden = !signedIn;
  $("nav-audit").hidden = !(signedIn && isAdmin());
  $("nav-accounts").hidden = !(signedIn && isAdmin());
  renderWhoami();
}

function showSignIn(notice = "") {
  stopEvents();
  showChrome(false);
  $("view").hidden = true;
  $("signin").hidden = false;
  $("signin-notice").textContent = notice;
  $("signin-error").textContent = "";
  $("signin-password").value = "";
  document.title = `${t("auth.title")} · ${t("app.brand")}`;
  $("signin-email").focus();
}

/** Any 401: keep the current view (hidden, with its drafts) and ask to sign in again. */
function sessionEnded() {
  const wasSignedIn = state.me !== null;
  state.me = null;
  clearTimeout(state.refreshTimer);
  if (!$("signin").hidden && !wasSignedIn) return;
  showAlert("");
  showSignIn(wasSignedIn ? t("auth.expired") : "");
}

async function onSignInSubmit(event) {
  event.preventDefault();
  const email = $("signin-email").value.trim();
  const password = $("signin-password").value;
  const error = $("signin-error");
  const submit = $("signin-submit");
  error.textContent = "";
  if (!email || !password) {
    error.textContent = t("auth.missing");
    return;
  }
  submit.disabled = true;
  submit.textContent = t("auth.busy");
  try {
    state.me = await api("POST", "/login", { email, password });
    $("signin-password").value = "";
    signedIn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) error.textContent = t("auth.invalid");
    else if (err instanceof ApiError && err.status === 429) {
      const seconds = Number.isFinite(err.retryAfterSeconds) ? err.retryAfterSeconds : 60;
      const minutes = Math.max(1, Math.ceil(seconds / 60));
      error.textContent = err.code === "locked" ? t("auth.locked", { minutes }) : t("auth.tooMany", { minutes });
    } else error.textContent = errorText(err);
    $("signin-password").focus();
  } finally {
    submit.disabled = false;
    submit.textContent = t("auth.submit");
  }
}

function signedIn() {
  $("signin").hidden = true;
  $("signin-notice").textContent = "";
  showChrome(true);
  $("view").hidden = false;
  startEvents();
  route({ force: false, focus: true });
}

async function signOut() {
  try {
    await api("POST", "/logout");
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) {
      reportError(err);
      return;
    }
  }
  state.me = null;
  disposeView();
  state.knownIds = null;
  state.staff = [];
  forgetDrafts();
  // The next person to sign in here starts at the queue, not where the last one was.
  history.replaceState(null, "", location.pathname + location.search);
  showSignIn(t("auth.signedOut"));
}

// ---------------------------------------------------------------- live updates

function startEvents() {
  stopEvents();
  const events = new EventSource(`${API}/events`);
  let opened = false;
  events.addEventListener("change", scheduleRefresh);
  // The server ends the stream when the session has ended: find out (a 401 shows sign-in).
  events.addEventListener("expired", () => {
    events.close();
    if (state.events === events) state.events = null;
    api("GET", "/me").then(
      (me) => {
        state.me = me;
        startEvents();
        scheduleRefresh();
      },
      () => {},
    );
  });
  events.addEventListener("open", () => {
    // After a reconnect changes may have been missed.
    if (opened) scheduleRefresh();
    opened = true;
  });
  events.addEventListener("error", () => {
    if (events.readyState !== EventSource.CLOSED || state.events !== events) return;
    // The server refused the stream (e.g. the session ended): check the session, then retry.
    state.events = null;
    setTimeout(async () => {
      if (!state.me || state.events) return;
      try {
        state.me = await api("GET", "/me");
        startEvents();
        scheduleRefresh();
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 401)) setTimeout(() => state.me && !state.events && startEvents(), 10_000);
      }
    }, 3000);
  });
  state.events = events;
}

function stopEvents() {
  if (state.events) state.events.close();
  state.events = null;
}

function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => {
    if (!state.me || !state.view) return;
    state.view.refresh({ live: true });
    if (state.view.key !== "queue") watchForNewHandoffs();
  }, REFRESH_DEBOUNCE_MS);
}

/** Outside the queue view: still tell the user when a new handoff arrives. */
async function watchForNewHandoffs() {
  try {
    const data = await api("GET", "/handoffs");
    noteHandoffs(data.handoffs, true);
  } catch {
    /* the current view reports its own errors */
  }
}

/** Remembers the ids; announces the new ones. Returns the set of new ids. */
function noteHandoffs(handoffs, announceNew) {
  const fresh = new Set();
  if (state.knownIds === null) {
    state.knownIds = new Set(handoffs.map((x) => x.id));
    return fresh;
  }
  for (const x of handoffs) if (!state.knownIds.has(x.id)) fresh.add(x.id), state.knownIds.add(x.id);
  if (announceNew && fresh.size) {
    const items = handoffs.filter((x) => fresh.has(x.id));
    announce(
      items.length === 1
        ? t("live.newHandoff", { risk: riskLabel(items[0].risk), channel: label("channel", items[0].channel) })
        : t("live.newHandoffs", { count: items.length }),
    );
  }
  return fresh;
}

// ---------------------------------------------------------------- routing

function parseRoute() {
  const hash = location.hash.replace(/^#/, "");
  let m;
  if ((m = /^\/handoff\/([^/?#]+)$/.exec(hash))) return { name: "handoff", id: decodeURIComponent(m[1]), key: `handoff:${m[1]}` };
  if ((m = /^\/print\/([^/?#]+)$/.exec(hash))) return { name: "print", id: decodeURIComponent(m[1]), key: `print:${m[1]}` };
  if ((m = /^\/report\/([^/?#]+)$/.exec(hash))) return { name: "report", id: decodeURIComponent(m[1]), key: `report:${m[1]}` };
  if (hash === "/reports") return { name: "reports", key: "reports" };
  if (hash === "/audit") return { name: "audit", key: "audit" };
  if (hash === "/accounts") return { name: "accounts", key: "accounts" };
  return { name: "queue", key: "queue" };
}

function disposeView() {
  state.view?.dispose?.();
  state.view = null;
  state.viewKey = "";
  clear($("view"));
}

/** Shows the view for the current hash; keeps (and refreshes) it when it is already shown. */
function route({ force = false, focus = true } = {}) {
  if (!state.me) return;
  const r = parseRoute();
  if (!force && state.view && state.viewKey === r.key) {
    state.view.refresh({ live: false });
    return;
  }
  disposeView();
  showAlert("");
  const root = $("view");
  document.body.classList.toggle("print-mode", r.name === "print");
  for (const [id, name] of [["nav-queue", "queue"], ["nav-reports", "reports"], ["nav-audit", "audit"], ["nav-accounts", "accounts"]]) {
    const link = $(id);
    if (name === r.name || (name === "queue" && r.name === "handoff") || (name === "reports" && r.name === "report")) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const make = { queue: queueView, handoff: handoffView, reports: reportsView, report: reportView, print: printView, audit: auditView, accounts: accountsView }[r.name];
  if ((r.name === "audit" || r.name === "accounts") && !isAdmin()) {
    state.view = messageView(root, t("error.forbidden"));
  } else {
    state.view = make(root, r);
  }
  state.view.key = r.name;
  state.viewKey = r.key;
  state.view
    .refresh({ live: false, first: true })
    .then(() => {
      if (focus) root.querySelector("h1")?.focus({ preventScroll: false });
    })
    .catch(reportError);
}

function setTitle(text) {
  document.title = `${text} · ${t("app.brand")}`;
}

function heading(text) {
  return h("h1", { tabindex: "-1", dataset: { focusKey: "heading" } }, text);
}

function messageView(root, text) {
  append(root, [h("section", { class: "panel" }, heading(text), h("p", {}, h("a", { href: "#/" }, t("handoff.back"))))]);
  setTitle(text);
  return { refresh: async () => {}, dispose() {} };
}

/** A status line inside a view for loading problems (403, 404, network). */
function viewProblem(container, err) {
  if (err instanceof ApiError && err.status === 401) return;
  clear(container);
  append(container, [h("p", { class: "problem", role: "alert", dataset: { problem: err?.status ?? "error" } }, errorText(err))]);
}

// ---------------------------------------------------------------- queue

function loadFilters() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SS_FILTERS) ?? "{}");
    for (const key of Object.keys(state.filters)) if (typeof saved[key] === "string") state.filters[key] = saved[key];
  } catch {
    /* ignore */
  }
}

function saveFilters() {
  try {
    sessionStorage.setItem(SS_FILTERS, JSON.stringify(state.filters));
  } catch {
    /* ignore */
  }
}

/** A filter of a list: sets `filters[name]` and calls `changed` (by default the queue's filters, kept for the session). */
function filterSelect(name, labelText, options, filters = state.filters, changed = () => (saveFilters(), state.view?.refresh({ live: false }))) {
  const id = nextId(`filter-${name}`);
  const select = h(
    "select",
    {
      id,
      name,
      on: {
        change: () => {
          filters[name] = select.value;
          changed();
        },
      },
    },
    options.map(([value, text]) => h("option", { value, selected: filters[name] === value }, text)),
  );
  return h("div", { class: "field field-inline" }, h("label", { for: id }, labelText), select);
}

/** The set filters of a list as query parameters. */
function filterQuery(filters) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) q.set(key, value);
  return q;
}

/** The rows to keep after a refresh: as many as were shown, at least one page. */
const PAGE = 50;

/**
 * Fetches pages of `path` (a list API with `next` cursors) until at least `atLeast` rows are
 * in: a live refresh keeps what "load more" had already shown.
 */
async function fetchPages(path, query, key, atLeast) {
  const rows = [];
  let next = null;
  let first = null;
  do {
    const q = new URLSearchParams(query);
    q.set("limit", String(Math.min(200, Math.max(PAGE, atLeast - rows.length))));
    if (next) q.set("cursor", next);
    const data = await api("GET", `${path}?${q}`);
    first ??= data;
    rows.push(...data[key]);
    next = data.next;
  } while (next && rows.length < atLeast);
  return { first, rows, next };
}

/**
 * The rows of a paged list API (`path`, rows under `key`, `next` cursors) as a view shows them:
 * `reload` fetches anew (a live reload keeps as many rows as were shown), `more` appends the next
 * page. An answer overtaken by a newer reload is dropped (reload gives null, more false).
 */
function pagedList(path, key) {
  const list = { rows: [], next: null, seq: 0 };
  list.reload = async (query, atLeast) => {
    const mine = ++list.seq;
    try {
      const result = await fetchPages(path, query, key, atLeast);
      if (mine !== list.seq) return null;
      list.rows = result.rows;
      list.next = result.next;
      return result.first;
    } catch (err) {
      if (mine === list.seq) throw err;
      return null;
    }
  };
  list.more = async (query) => {
    const mine = list.seq;
    const q = new URLSearchParams(query);
    q.set("cursor", list.next);
    const data = await api("GET", `${path}?${q}`);
    if (mine !== list.seq) return false;
    list.rows = [...list.rows, ...data[key]];
    list.next = data.next;
    return true;
  };
  return list;
}

/** "Load more" under a list: appends the page after the last, then calls `onLoaded`. */
function moreButton(list, query, onLoaded) {
  const button = h(
    "button",
    {
      type: "button",
      class: "btn load-more",
      hidden: true,
      dataset: { action: "load-more" },
      on: {
        click: async () => {
          if (!list.next) return;
          button.disabled = true;
          try {
            if (await list.more(query())) onLoaded();
          } catch (err) {
            reportError(err);
          } finally {
            button.disabled = false;
          }
        },
      },
    },
    t("list.more"),
  );
  return button;
}

function queueView(root) {
  setTitle(t("queue.title"));
  const list = h("div", { class: "queue-list", "aria-busy": "true" }, h("p", { class: "muted" }, t("common.loading")));
  const count = h("p", { class: "muted queue-count", "aria-live": "off" });
  const totals = h("p", { class: "queue-counts", dataset: { counts: "" } });
  const filters = h(
    "form",
    { class: "filters", role: "search", "aria-label": t("queue.filters"), on: { submit: (e) => e.preventDefault() } },
    filterSelect("status", t("queue.filterStatus"), [
      ["", t("queue.statusActive")],
      ...STATUSES.map((s) => [s, label("status", s)]),
      [STATUSES.join(","), t("queue.statusAll")],
    ]),
    filterSelect("risk", t("queue.filterRisk"), [["", t("queue.any")], ...[...RISKS, "none"].map((r) => [r, label("risk", r)])]),
    filterSelect("channel", t("queue.filterChannel"), [["", t("queue.any")], ...CHANNELS.map((c) => [c, label("channel", c)])]),
    filterSelect("language", t("queue.filterLanguage"), [["", t("queue.any")], ...BOT_LANGUAGES.map((l) => [l, languageName(l)])]),
  );
  const rows = pagedList("/handoffs", "handoffs");
  let total = 0;
  const query = () => filterQuery(state.filters);
  const more = moreButton(rows, query, () => show(noteHandoffs(rows.rows, false)));
  append(root, [
    h("section", { class: "queue", "aria-labelledby": "queue-title" }, h("div", { class: "view-head" }, heading(t("queue.title")), count), totals, filters, list, h("div", { class: "button-row" }, more)),
  ]);
  root.querySelector("h1").id = "queue-title";

  function show(fresh) {
    list.setAttribute("aria-busy", "false");
    count.textContent = t("queue.count", { count: rows.rows.length, total });
    more.hidden = !rows.next;
    preserveFocus(list, () => renderQueue(list, rows.rows, fresh));
  }

  async function refresh({ live = false } = {}) {
    let first;
    try {
      // A live refresh keeps as many rows as were shown; a new filter starts at one page.
      first = await rows.reload(query(), live ? rows.rows.length : PAGE);
    } catch (err) {
      viewProblem(list, err);
      return;
    }
    if (!first) return;
    state.staff = Array.isArray(first.staff) ? first.staff : [];
    total = queueTotal(first.counts, state.filters.risk);
    renderCounts(totals, first.counts);
    show(noteHandoffs(rows.rows, live));
  }
  return { refresh, dispose() {} };
}

/** How many rows the current filters match: the risk counts are over the asked statuses. */
function queueTotal(counts, risk) {
  if (!counts) return 0;
  return risk ? (counts.risk[risk] ?? 0) : Object.values(counts.risk).reduce((a, b) => a + b, 0);
}

/** Counts per status and per risk, as one line each (read by screen readers as text). */
function renderCounts(box, counts) {
  clear(box);
  if (!counts) return;
  const part = (kind, key, n) => h("span", { class: `count count-${kind}`, dataset: { count: `${kind}:${key}` } }, t("queue.countOf", { label: label(kind, key), n }));
  append(box, [
    h("span", { class: "counts-row" }, STATUSES.map((s) => part("status", s, counts.status[s] ?? 0))),
    h("span", { class: "counts-row" }, [...RISKS, "none"].map((r) => part("risk", r, counts.risk[r] ?? 0))),
  ]);
}

/** Open cases: how long the person has waited; resolved and closed ones: how long the case took. */
function elapsedEl(x) {
  if (x.durationSeconds != null) return h("span", { class: "took", dataset: { took: "" } }, t("queue.took", { time: formatWait(x.durationSeconds * 1000) }));
  return waitEl(x.waitingSeconds);
}

function renderQueue(list, handoffs, fresh) {
  clear(list);
  if (!handoffs.length) {
    append(list, [h("p", { class: "empty", dataset: { empty: "queue" } }, t("queue.empty"))]);
    return;
  }
  // One entry per column: [key, heading, cell content]. A new column is one more entry.
  const cols = [
    ["risk", t("queue.colRisk"), (x) => badge("risk", x.risk ?? "none", riskLabel(x.risk))],
    ["waiting", t("queue.colWaiting"), elapsedEl],
    ["reason", t("queue.colReason"), (x) => label("reason", x.reason)],
    ["reference", t("queue.colReference"), (x) => (x.reportCode ? h("span", { class: "code" }, x.reportCode) : h("span", { class: "muted" }, t("common.none")))],
    ["nationality", t("queue.colNationality"), (x) => (x.nationality ? nationalityName(x.nationality) : h("span", { class: "muted" }, nationalityName(null)))],
    ["channel", t("queue.colChannel"), (x) => label("channel", x.channel)],
    ["language", t("queue.colLanguage"), (x) => languageName(x.language)],
    ["status", t("queue.colStatus"), (x) => badge("status", x.status, label("status", x.status))],
    ["assignee", t("queue.colAssignee"), (x) => (x.assignee ? h("span", { class: "email" }, x.assignee.email) : h("span", { class: "muted" }, t("queue.unassigned")))],
    [
      "open",
      t("queue.colOpen"),
      (x) =>
        h(
          "a",
          {
            href: `#/handoff/${encodeURIComponent(x.id)}`,
            class: "btn btn-small open-link",
            dataset: { focusKey: `open-${x.id}` },
            "aria-label": t("queue.openLabel", { risk: riskLabel(x.risk), channel: label("channel", x.channel) }),
          },
          t("queue.open"),
        ),
    ],
  ];
  const table = h(
    "table",
    { class: "queue-table" },
    h("caption", { class: "visually-hidden" }, t("queue.caption")),
    h("thead", {}, h("tr", {}, cols.map(([key, text]) => h("th", { scope: "col", class: `col-${key}` }, text)))),
    h(
      "tbody",
      {},
      handoffs.map((x) => {
        const href = `#/handoff/${encodeURIComponent(x.id)}`;
        return h(
          "tr",
          {
            class: `queue-row risk-row-${x.risk ?? "none"}${fresh.has(x.id) ? " is-new" : ""}`,
            dataset: { handoffId: x.id, risk: x.risk ?? "none", status: x.status },
            on: {
              click: (e) => {
                if (e.target.closest("a, button")) return;
                if (window.getSelection()?.toString()) return;
                location.hash = href;
              },
            },
          },
          cols.map(([key, text, content]) => h("td", { class: `col-${key}`, dataset: { label: text } }, content(x))),
        );
      }),
    ),
  );
  append(list, [table]);
}

// ---------------------------------------------------------------- reports

const REPORT_KINDS = ["self", "family"];
const reportFilters = { risk: "", kind: "", code: "" };

function reportsView(root) {
  setTitle(t("reports.title"));
  const list = h("div", { class: "report-list", "aria-busy": "true" }, h("p", { class: "muted" }, t("common.loading")));
  const count = h("p", { class: "muted report-count", "aria-live": "off" });
  const select = (name, labelText, options) => filterSelect(name, labelText, options, reportFilters, () => refresh());
  const codeId = nextId("report-code");
  const codeInput = h("input", { id: codeId, name: "code", type: "search", autocomplete: "off", spellcheck: "false", maxlength: "20", value: reportFilters.code });
  const codeError = h("p", { class: "form-error", role: "alert" });
  const showAll = h("button", { type: "button", class: "btn btn-quiet", hidden: !reportFilters.code, on: { click: () => ((codeInput.value = ""), (reportFilters.code = ""), refresh()) } }, t("reportList.showAll"));
  const filters = h(
    "form",
    {
      class: "filters",
      role: "search",
      "aria-label": t("reportList.filters"),
      on: {
        submit: (e) => {
          e.preventDefault();
          reportFilters.code = codeInput.value.trim();
          refresh();
        },
      },
    },
    h("div", { class: "field field-inline" }, h("label", { for: codeId }, t("reportList.code")), codeInput, h("button", { type: "submit", class: "btn" }, t("reportList.find")), showAll),
    select("risk", t("reportList.filterRisk"), [["", t("queue.any")], ...[...RISKS, "none"].map((r) => [r, label("risk", r)])]),
    select("kind", t("reportList.filterKind"), [["", t("queue.any")], ...REPORT_KINDS.map((k) => [k, label("reportKind", k)])]),
    codeError,
  );
  const rows = pagedList("/reports", "reports");
  const query = () => filterQuery(reportFilters);
  const more = moreButton(rows, query, () => show());
  append(root, [
    h(
      "section",
      { class: "reports", "aria-labelledby": "reports-title" },
      h("div", { class: "view-head" }, heading(t("reports.title")), count),
      h("p", { class: "muted" }, t("reportList.intro")),
      filters,
      list,
      h("div", { class: "button-row" }, more),
    ),
  ]);
  root.querySelector("h1").id = "reports-title";

  function show() {
    list.setAttribute("aria-busy", "false");
    count.textContent = t("reportList.count", { count: rows.rows.length });
    more.hidden = !rows.next;
    showAll.hidden = !reportFilters.code;
    preserveFocus(list, () => renderReports(list, rows.rows));
  }

  async function refresh({ live = false } = {}) {
    codeError.textContent = "";
    let first;
    try {
      first = await rows.reload(query(), live ? rows.rows.length : PAGE);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && reportFilters.code) codeError.textContent = t("reportList.badCode");
      else viewProblem(list, err);
      return;
    }
    if (first) show();
  }
  return { refresh, dispose() {} };
}

function renderReports(list, reports) {
  clear(list);
  if (!reports.length) {
    const text = reportFilters.code ? t("reportList.noCode", { code: reportFilters.code }) : t("reportList.empty");
    append(list, [h("p", { class: "empty", dataset: { empty: "reports" } }, text)]);
    return;
  }
  const cols = [
    ["risk", t("queue.colRisk"), (x) => badge("risk", x.risk ?? "none", riskLabel(x.risk))],
    ["code", t("reportList.colCode"), (x) => h("span", { class: "code" }, x.code)],
    ["kind", t("reportList.colKind"), (x) => label("reportKind", x.kind)],
    ["created", t("reportList.colCreated"), (x) => timeEl(x.createdAt)],
    ["channel", t("queue.colChannel"), (x) => label("channel", x.channel)],
    ["language", t("queue.colLanguage"), (x) => languageName(x.language)],
    ["case", t("reportList.colCase"), (x) => (x.handoff ? badge("status", x.handoff.status, label("status", x.handoff.status)) : h("span", { class: "muted" }, t("reportList.noCase")))],
    [
      "open",
      t("queue.colOpen"),
      (x) => h("a", { href: `#/report/${encodeURIComponent(x.id)}`, class: "btn btn-small open-link", dataset: { focusKey: `report-${x.id}` }, "aria-label": t("reportList.openLabel", { code: x.code }) }, t("reportList.open")),
    ],
  ];
  append(list, [
    h(
      "table",
      { class: "queue-table report-table" },
      h("caption", { class: "visually-hidden" }, t("reportList.caption")),
      h("thead", {}, h("tr", {}, cols.map(([key, text]) => h("th", { scope: "col", class: `col-${key}` }, text)))),
      h(
        "tbody",
        {},
        reports.map((x) =>
          h(
            "tr",
            { class: `queue-row report-row risk-row-${x.risk ?? "none"}`, dataset: { reportId: x.id, code: x.code, risk: x.risk ?? "none" } },
            cols.map(([key, text, content]) => h("td", { class: `col-${key}`, dataset: { label: text } }, content(x))),
          ),
        ),
      ),
    ),
  ]);
}

/** One shared report: its answers as the bot asked them, and the case it belongs to. */
function reportView(root, r) {
  setTitle(t("reports.title"));
  const body = h("div", { class: "report-view" }, h("p", { class: "muted" }, t("common.loading")));
  append(root, [h("section", { class: "panel" }, h("p", {}, h("a", { href: "#/reports" }, t("report.back"))), body)]);
  async function refresh({ live = false } = {}) {
    if (live) return; // a report does not change; its case's status is refreshed on the next visit
    let data;
    try {
      data = await api("GET", `/reports/${encodeURIComponent(r.id)}?lang=${encodeURIComponent(state.lang)}`);
    } catch (err) {
      viewProblem(body, err);
      return;
    }
    const x = data.report;
    setTitle(t("reports.code", { code: x.code }));
    clear(body);
    const kase = x.handoff
      ? h(
          "p",
          { class: "report-case" },
          badge("status", x.handoff.status, label("status", x.handoff.status)),
          " ",
          x.handoff.assignee ? h("span", { class: "email" }, x.handoff.assignee.email) : h("span", { class: "muted" }, t("queue.unassigned")),
          " ",
          h("a", { href: `#/handoff/${encodeURIComponent(x.handoff.id)}`, class: "btn btn-small", dataset: { action: "open-conversation" } }, t("report.openConversation")),
        )
      : h("p", { class: "muted" }, t("reportList.noCase"));
    append(body, [
      heading(t("reports.code", { code: x.code })),
      dl([
        [t("queue.colChannel"), label("channel", x.channel)],
        [t("queue.colLanguage"), languageName(x.language)],
      ]),
      h("h2", {}, t("report.case")),
      kase,
      reportBlock(x),
    ]);
  }
  return { refresh, dispose() {} };
}

// ---------------------------------------------------------------- conversation

function handoffView(root, r) {
  const id = r.id;
  const path = `/handoffs/${encodeURIComponent(id)}`;
  setTitle(t("handoff.title"));
  // Report questions are rendered by the server in the console language.
  const langQuery = () => `?lang=${encodeURIComponent(state.lang)}`;

  const problem = h("div", { class: "view-problem" });
  const head = h("div", { class: "conv-head" }, heading(t("handoff.title")));
  const actions = h("section", { class: "panel conv-actions", "aria-labelledby": nextId("x") });
  const details = h("div", { class: "conv-details" });
  const transcript = h("ol", { class: "transcript", tabindex: "0", "aria-label": t("transcript.title") });
  const transcriptSection = h(
    "section",
    { class: "panel conv-transcript", "aria-labelledby": "transcript-title" },
    h("h2", { id: "transcript-title" }, t("transcript.title")),
    transcript,
  );
  const reply = composer({
    kind: "reply",
    id,
    max: REPLY_MAX,
    labelText: t("reply.label"),
    hintText: t("reply.hint", { channel: "" }),
    buttonText: t("reply.send"),
    busyText: t("reply.sending"),
    async submit(text) {
      await api("POST", `${path}/reply`, { text });
      announce(t("reply.queued"));
    },
    // Typing a reply holds the person's auto-clear (the server holds it 2 minutes per signal).
    onTyping: throttled(WRITING_SIGNAL_MS, () => api("POST", `${path}/writing`).catch(() => {})),
  });
  const ready = readyReplyPanel({
    path,
    async submit(reply) {
      await api("POST", `${path}/reply`, { ready: reply });
      announce(t("reply.queued"));
    },
  });
  const note = composer({
    kind: "note",
    id,
    max: NOTE_MAX,
    labelText: t("note.label"),
    hintText: t("note.hint"),
    buttonText: t("note.save"),
    busyText: t("note.saving"),
    async submit(text) {
      await api("POST", `${path}/notes`, { text });
      announce(t("note.saved"));
    },
  });

  const body = h(
    "div",
    { class: "conv", dataset: { handoffId: id } },
    h("p", { class: "back" }, h("a", { href: "#/" }, t("handoff.back"))),
    problem,
    head,
    h(
      "div",
      { class: "conv-grid" },
      h("div", { class: "conv-main" }, transcriptSection, ready.el, reply.el, note.el),
      h("aside", { class: "conv-side", "aria-label": t("handoff.sideLabel") }, actions, details),
    ),
  );
  append(root, [body]);

  let detail = null;
  let seq = 0;

  async function refresh({ first = false } = {}) {
    const mine = ++seq;
    let data;
    try {
      data = await api("GET", path + langQuery());
    } catch (err) {
      if (mine !== seq) return;
      if (err instanceof ApiError && (err.status === 403 || err.status === 404)) {
        // Not (or no longer) visible: say so instead of a stale view.
        body.classList.add("unavailable");
        clear(head);
        append(head, [heading(errorText(err))]);
        head.querySelector("h1").dataset.problem = String(err.status);
        setTitle(errorText(err));
      } else viewProblem(problem, err);
      return;
    }
    if (mine !== seq) return;
    body.classList.remove("unavailable");
    clear(problem);
    detail = data;
    noteHandoffs([data.handoff], false);
    if (!isAgent() && !state.staff.length) await loadStaff();
    preserveFocus(head, () => renderHead(head, data));
    preserveFocus(actions, () => renderActions(actions, data, path, refreshNow));
    renderDetails(details, data);
    renderTranscript(transcript, data.transcript, first);
    const why = data.handoff.status === "erased" ? t("reply.erased") : t("reply.closed");
    const off = !WORKABLE.includes(data.handoff.status);
    reply.setHint(t("reply.hint", { channel: label("channel", data.handoff.channel) }));
    reply.setDisabled(off, why);
    ready.setDisabled(off, why);
    note.setDisabled(off, why);
    if (first) await ready.load(langQuery());
    setTitle(`${t("handoff.title")} · ${riskLabel(data.handoff.risk)}`);
  }
  const refreshNow = () => refresh({});
  reply.onSent = refreshNow;
  ready.onSent = refreshNow;
  note.onSent = refreshNow;
  return { refresh, dispose() {}, get detail() { return detail; } };
}

async function loadStaff() {
  try {
    const data = await api("GET", "/handoffs");
    state.staff = Array.isArray(data.staff) ? data.staff : [];
  } catch {
    /* assignment falls back to take/release */
  }
}

function renderHead(head, data) {
  const x = data.handoff;
  const person = data.person ?? {};
  clear(head);
  const personValue = person.masked
    ? h("span", { class: "muted", dataset: { person: "hidden" } }, t("handoff.personHidden"))
    : person.platformUserId
      ? h("code", { class: "platform-id" }, person.platformUserId)
      : h("span", { class: "muted" }, t("common.none"));
  append(head, [
    h(
      "div",
      { class: "conv-title" },
      heading(t("handoff.title")),
      h("span", { class: "badges" }, badge("risk", x.risk ?? "none", riskLabel(x.risk)), " ", badge("status", x.status, label("status", x.status))),
    ),
    dl([
      [t("handoff.status"), label("status", x.status)],
      [t("handoff.risk"), riskLabel(x.risk)],
      [t("handoff.reason"), label("reason", x.reason)],
      [t("handoff.reference"), x.reportCode ? h("span", { class: "code" }, x.reportCode) : h("span", { class: "muted" }, t("common.none"))],
      [t("handoff.channel"), label("channel", x.channel)],
      [t("handoff.language"), languageName(x.language)],
      [t("handoff.nationality"), nationalityName(x.nationality)],
      [t("handoff.person"), personValue],
      [t("handoff.assignee"), x.assignee ? h("span", { class: "email", dataset: { assignee: x.assignee.email } }, x.assignee.email) : h("span", { class: "muted", dataset: { assignee: "" } }, t("queue.unassigned"))],
      [t("handoff.created"), timeEl(x.createdAt)],
      x.durationSeconds != null ? [t("handoff.took"), formatWait(x.durationSeconds * 1000)] : [t("handoff.waiting"), waitEl(x.waitingSeconds)],
    ]),
  ]);
}

function renderActions(box, data, path, refresh) {
  const x = data.handoff;
  const me = state.me.account;
  clear(box);
  const titleId = box.getAttribute("aria-labelledby");
  append(box, [h("h2", { id: titleId }, t("actions.title"))]);
  const workable = WORKABLE.includes(x.status);

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
  const assign = (staffId, button) =>
    run(button, async () => {
      await api("POST", `${path}/assign`, { staffId });
      announce(t("assign.done"));
    });

  // Assignment.
  const assignBox = h("div", { class: "action-group" }, h("h3", {}, t("assign.title")));
  if (!workable) append(assignBox, [h("p", { class: "muted" }, x.assignee ? x.assignee.email : t("queue.unassigned"))]);
  else {
    if (isAgent() || !state.staff.length) {
      const mine = x.assignee?.id === me.id;
      if (!x.assignee) {
        const take = h("button", { type: "button", class: "btn btn-primary", dataset: { focusKey: "take" }, on: { click: () => assign(me.id, take) } }, t("assign.take"));
        append(assignBox, [take]);
      } else if (mine) {
        const release = h("button", { type: "button", class: "btn", dataset: { focusKey: "release" }, on: { click: () => assign(null, release) } }, t("assign.release"));
        append(assignBox, [release]);
      } else append(assignBox, [h("p", { class: "muted" }, x.assignee.email)]);
    } else {
      const selectId = nextId("assign");
      const staff = [...state.staff];
      if (x.assignee && !staff.some((s) => s.id === x.assignee.id)) staff.push(x.assignee);
      const select = h(
        "select",
        { id: selectId, dataset: { focusKey: "assign-select" } },
        h("option", { value: "", selected: !x.assignee }, t("assign.nobody")),
        staff.map((s) => h("option", { value: s.id, selected: x.assignee?.id === s.id }, s.id === me.id ? t("assign.me", { email: s.email }) : s.email)),
      );
      const button = h(
        "button",
        { type: "button", class: "btn", dataset: { focusKey: "assign" }, on: { click: () => assign(select.value || null, button) } },
        t("assign.save"),
      );
      append(assignBox, [h("div", { class: "field" }, h("label", { for: selectId }, t("assign.to")), h("div", { class: "inline" }, select, button))]);
    }
  }
  append(box, [assignBox]);

  // Status: open → in progress → resolved → closed.
  const statusBox = h("div", { class: "action-group" }, h("h3", {}, t("actions.status")), h("p", { class: "current-status" }, t("actions.current", { status: label("status", x.status) })));
  const next = NEXT_STATUSES[x.status] ?? [];
  if (next.length) {
    const buttons = h("div", { class: "button-row" });
    for (const status of STATUSES) {
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
  const exportHref = `${API}${path}/export?lang=${encodeURIComponent(state.lang)}`;
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

function renderDetails(box, data) {
  clear(box);
  if (data.location) {
    append(box, [h("section", { class: "panel", "aria-label": t("location.title") }, h("h2", {}, t("location.title")), locationBlock(data.location))]);
  }
  const reports = Array.isArray(data.reports) ? data.reports : [];
  append(box, [
    h(
      "section",
      { class: "panel reports" },
      h("h2", {}, t("reports.title")),
      reports.length ? reports.map(reportBlock) : h("p", { class: "muted" }, t("reports.none")),
    ),
  ]);
}

/** The question as the bot asked it; for answers with no question text of their own, the console's label. */
function answerQuestion(answer) {
  if (answer.question && answer.question !== answer.key) return answer.question;
  return label("answerKey", answer.key);
}

function reportBlock(report) {
  const answers = Array.isArray(report.answers) ? report.answers : [];
  return h(
    "article",
    { class: "report", dataset: { code: report.code } },
    h("h3", {}, t("reports.code", { code: report.code })),
    dl([
      [t("reports.kind"), label("reportKind", report.kind)],
      [t("reports.consent"), report.consent ? t("reports.consentYes") : t("reports.consentNo")],
      [t("reports.risk"), riskLabel(report.risk)],
      [t("reports.created"), timeEl(report.createdAt)],
    ]),
    h("h4", {}, t("reports.answers")),
    answers.length
      ? h(
          "dl",
          { class: "answers" },
          answers.map((a) => h("div", { class: "answer", dataset: { key: a.key } }, h("dt", {}, answerQuestion(a)), h("dd", {}, a.answer ?? t("common.none")))),
        )
      : h("p", { class: "muted" }, t("reports.noAnswers")),
  );
}

function transcriptItem(item) {
  const role = ["user", "bot", "staff", "note", "system"].includes(item.role) ? item.role : "system";
  const erased = item.kind === "erased";
  const who = item.author && (role === "staff" || role === "note") ? t("transcript.by", { role: label("transcriptRole", role), author: item.author }) : label("transcriptRole", role);
  const markers = [];
  if (erased) markers.push(h("span", { class: "marker marker-erased" }, t("transcript.erased")));
  if (item.status === "unsent") markers.push(h("span", { class: "marker marker-unsent" }, t("transcript.withdrawn")));
  if (role === "staff" && item.status) markers.push(h("span", { class: `delivery delivery-${item.status}`, dataset: { delivery: item.status } }, label("delivery", item.status)));
  if (role === "bot" && (item.status === "failed" || item.status === "cancelled")) markers.push(h("span", { class: `delivery delivery-${item.status}`, dataset: { delivery: item.status } }, label("delivery", item.status)));

  let content;
  if (erased) content = null;
  else if (item.tap) content = tapText(item.tap);
  else if (item.ready && typeof item.text === "string")
    content = [
      h("p", { class: "msg-text", dataset: { ready: item.ready.id } }, item.ready.text),
      h("p", { class: "msg-theirs muted", dataset: { theySaw: "" } }, t("transcript.readyTheySaw", { text: item.text })),
    ];
  else if (item.evidence) content = evidenceBlock(item.evidence);
  else if (typeof item.text === "string" && item.text !== "") content = h("p", { class: "msg-text" }, item.text);
  else if (role === "system") content = h("p", { class: "msg-text" }, eventText(item));
  else if (!item.location) content = h("p", { class: "msg-text muted" }, t("transcript.noText", { kind: label("kind", item.kind) }));

  return h(
    "li",
    { class: `msg role-${role}${erased ? " is-erased" : ""}${item.status === "unsent" ? " is-unsent" : ""}`, dataset: { id: item.id, role, status: item.status ?? "", kind: item.kind ?? "" } },
    h("div", { class: "msg-meta" }, h("span", { class: role === "system" ? "msg-who visually-hidden" : "msg-who" }, who), " ", timeEl(item.at), " ", markers),
    content,
    item.location ? locationBlock(item.location) : null,
  );
}

/** A size in KB or MB, for the evidence lines. */
function fileSize(bytes) {
  if (typeof bytes !== "number") return "";
  return bytes >= 1024 * 1024 ? t("evidence.sizeMb", { n: (bytes / (1024 * 1024)).toFixed(1) }) : t("evidence.sizeKb", { n: Math.max(1, Math.round(bytes / 1024)) });
}

/**
 * A photo or file the person sent: the image itself (served by the console's API, audited
 * per view, never cached), a download link for other files, or what became of the fetch.
 */
function evidenceBlock(e) {
  const kind = label("kind", e.kind);
  const url = typeof e.url === "string" && e.url.startsWith("/staff/api/") ? e.url : null;
  if (e.status === "stored" && url) {
    const image = typeof e.contentType === "string" && /^image\/(jpeg|png|gif|webp)$/.test(e.contentType);
    if (image) {
      return h(
        "figure",
        { class: "evidence evidence-image", dataset: { evidence: e.id, evidenceStatus: "stored" } },
        h("img", { src: url, alt: t("evidence.photoAlt"), loading: "lazy", class: "evidence-photo" }),
        h("figcaption", { class: "muted" }, h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, t("evidence.openFull"), h("span", { class: "visually-hidden" }, ` ${t("common.newTab")}`)), " · ", fileSize(e.size)),
      );
    }
    // Without a name of its own, the download takes the one the server gives (with its extension).
    const name = e.fileName || kind;
    return h(
      "p",
      { class: "msg-text evidence evidence-file", dataset: { evidence: e.id, evidenceStatus: "stored" } },
      h("a", { href: url, download: e.fileName || "", class: "evidence-download" }, t("evidence.download", { name })),
      " ",
      h("span", { class: "muted" }, `(${fileSize(e.size)})`),
    );
  }
  const status = ["pending", "retrying", "failed", "too_large"].includes(e.status) ? e.status : "pending";
  const text =
    status === "too_large" && typeof e.size !== "number" ? t("evidence.tooLargeUnknown", { kind })
    : t(`evidence.${status}`, { kind, count: e.attempts ?? 0, size: fileSize(e.size) });
  return h("p", { class: `msg-text evidence evidence-${status.replace("_", "-")}`, dataset: { evidence: e.id, evidenceStatus: status }, role: status === "failed" ? "status" : null }, text);
}

/** A tap: the question and the label chosen in the console's language; as the person saw them beside it and on hover. */
function tapText(tap) {
  const asked = tap.asked ?? {};
  const lang = typeof asked.language === "string" ? asked.language : undefined;
  return h(
    "p",
    { class: "msg-text tap", dataset: { tap: "" }, title: t("transcript.askedAs", { question: asked.question ?? "", answer: asked.answer ?? "" }) },
    h("span", { class: "tap-question" }, tap.question),
    " → ",
    h("strong", { class: "tap-answer" }, tap.answer),
    asked.answer && asked.answer !== tap.answer ? [" ", h("span", { class: "tap-original muted", lang }, t("transcript.theySaw", { answer: asked.answer }))] : null,
  );
}

/** A system event in words (the server sends its kind and a small `detail` object). */
function eventText(item) {
  const d = item.detail && typeof item.detail === "object" ? item.detail : {};
  switch (item.kind) {
    case "handoff.requested":
      return d.reason ? t("event.requestedBecause", { reason: label("reason", d.reason) }) : t("event.requested");
    case "handoff.status":
      return t("event.status", { from: label("status", d.from ?? ""), to: label("status", d.to ?? "") });
    case "handoff.assigned":
      return d.to ? t("event.assigned", { email: d.to }) : t("event.unassigned");
    case "delete":
      return t(d.autoClear ? "event.autoCleared" : "event.deleted", { count: Number(d.count) || 0 });
    case "autoClear.on":
      return t("event.autoClearOn", { minutes: Number(d.minutes) || 0 });
    default:
      return label("event", item.kind);
  }
}

function renderTranscript(list, items, first) {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  clear(list);
  if (!items.length) append(list, [h("li", { class: "muted empty" }, t("transcript.empty"))]);
  else append(list, items.map(transcriptItem));
  if (first || atBottom) list.scrollTop = list.scrollHeight;
}

/** While staff type a reply, the server is told at most this often (it holds the person's auto-clear). */
const WRITING_SIGNAL_MS = 30_000;

/** `fn` at most once per `ms`. */
function throttled(ms, fn) {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < ms) return;
    last = now;
    fn();
  };
}

/** A reply or note box; the draft is kept in sessionStorage per handoff (survives a new sign-in). */
function composer({ kind, id, max, labelText, hintText, buttonText, busyText, submit, onTyping }) {
  const textId = nextId(kind);
  const hintId = `${textId}-hint`;
  const countId = `${textId}-count`;
  const key = draftKey(kind, id);
  const textarea = h("textarea", { id: textId, name: kind, rows: kind === "reply" ? 4 : 3, maxlength: max, "aria-describedby": `${hintId} ${countId}`, dataset: { composer: kind } });
  const hint = h("p", { class: "hint", id: hintId }, hintText);
  const counter = h("p", { class: "counter", id: countId, "aria-live": "off" });
  const button = h("button", { type: "submit", class: `btn ${kind === "reply" ? "btn-primary" : "btn-note"}` }, buttonText);
  const disabledNote = h("p", { class: "muted", hidden: true });
  const form = h(
    "form",
    { class: `panel composer composer-${kind}`, dataset: { composer: kind } },
    h("label", { for: textId, class: "composer-label" }, labelText),
    hint,
    textarea,
    h("div", { class: "composer-foot" }, counter, button),
    disabledNote,
  );
  const self = { el: form, onSent: () => {}, setHint: (text) => (hint.textContent = text), setDisabled };
  let busy = false;

  try {
    textarea.value = sessionStorage.getItem(key) ?? "";
  } catch {
    /* ignore */
  }
  const updateCount = () => {
    counter.textContent = t("composer.count", { count: textarea.value.length, max });
  };
  updateCount();
  textarea.addEventListener("input", () => {
    try {
      if (textarea.value) sessionStorage.setItem(key, textarea.value);
      else sessionStorage.removeItem(key);
    } catch {
      /* ignore */
    }
    updateCount();
    if (textarea.value) onTyping?.();
  });
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (busy) return;
    const text = textarea.value;
    if (!text.trim()) {
      showAlert(t("composer.empty"));
      textarea.focus();
      return;
    }
    busy = true;
    button.disabled = true;
    button.textContent = busyText;
    try {
      await submit(text);
      // Only clear what was sent (the user may have typed on meanwhile).
      if (textarea.value === text) textarea.value = "";
      try {
        if (textarea.value) sessionStorage.setItem(key, textarea.value);
        else sessionStorage.removeItem(key);
      } catch {
        /* ignore */
      }
      updateCount();
      showAlert("");
      self.onSent();
    } catch (err) {
      reportError(err);
    } finally {
      busy = false;
      button.disabled = form.classList.contains("is-disabled");
      button.textContent = buttonText;
    }
  });
  function setDisabled(disabled, why) {
    form.classList.toggle("is-disabled", disabled);
    textarea.disabled = disabled;
    button.disabled = disabled || busy;
    disabledNote.hidden = !disabled;
    disabledNote.textContent = disabled ? why : "";
  }
  return self;
}

/**
 * Ready replies: the officer picks one (and, for some, a choice such as which of the person's
 * lines), reads it in the console's language, sees what the person will read in theirs, and
 * sends its id and parameters; the server writes the text.
 */
function readyReplyPanel({ path, submit }) {
  const pickId = nextId("ready");
  const optionId = nextId("ready-option");
  const hint = h("p", { class: "hint" });
  const pick = h("select", { id: pickId, dataset: { ready: "pick" } });
  const choice = h("select", { id: optionId, dataset: { ready: "option" } });
  const choiceField = h("div", { class: "field", hidden: true }, h("label", { for: optionId }, t("readyReply.option")), choice);
  const preview = h("p", { class: "ready-text", dataset: { ready: "preview" } });
  const theirsLabel = h("h3", { class: "ready-heading" });
  const theirs = h("p", { class: "ready-text ready-theirs", dataset: { ready: "theirs" } });
  const button = h("button", { type: "submit", class: "btn btn-primary", dataset: { ready: "send" } }, t("readyReply.send"));
  const disabledNote = h("p", { class: "muted", hidden: true });
  const form = h(
    "form",
    { class: "panel composer composer-ready", dataset: { composer: "ready" } },
    h("h2", { class: "composer-label" }, t("readyReply.title")),
    hint,
    h("div", { class: "field" }, h("label", { for: pickId }, t("readyReply.pick")), pick),
    choiceField,
    h("h3", { class: "ready-heading" }, t("readyReply.preview")),
    preview,
    theirsLabel,
    theirs,
    h("div", { class: "composer-foot" }, h("span"), button),
    disabledNote,
  );
  let data = null;
  let busy = false;
  let off = false;

  const current = () => data?.replies.find((r) => r.id === pick.value);
  const option = () => current()?.options[Number(choice.value) || 0];
  const optionLabel = (o) => o.label ?? (o.reply.within ? t(`readyReply.within.${o.reply.within}`) : "");
  function showChoice() {
    const reply = current();
    clear(choice);
    const many = (reply?.options.length ?? 0) > 1;
    choiceField.hidden = !many;
    if (many) reply.options.forEach((o, i) => choice.append(h("option", { value: String(i) }, optionLabel(o))));
    showText();
  }
  function showText() {
    const o = option();
    preview.textContent = o?.preview ?? "";
    theirs.textContent = o?.theirs ?? "";
    button.disabled = off || busy || !o;
  }
  pick.addEventListener("change", showChoice);
  choice.addEventListener("change", showText);

  async function load(langQuery) {
    try {
      data = await api("GET", `${path}/ready-replies${langQuery}`);
    } catch (err) {
      hint.textContent = t("readyReply.unavailable");
      reportError(err);
      return;
    }
    const nationality = data.nationality ? label("nationality", data.nationality) : t("nationality.unknown");
    hint.textContent = t("readyReply.hint", {
      language: languageName(data.language),
      nationality: data.nationalityGuessed ? t("readyReply.guessed", { nationality }) : nationality,
    });
    theirsLabel.textContent = t("readyReply.theirs", { language: languageName(data.language) });
    const chosen = pick.value;
    clear(pick);
    for (const r of data.replies) if (r.options.length) pick.append(h("option", { value: r.id, selected: r.id === chosen }, label("readyReply", r.id)));
    showChoice();
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const o = option();
    if (busy || !o) return;
    busy = true;
    button.disabled = true;
    button.textContent = t("readyReply.sending");
    try {
      await submit(o.reply);
      showAlert("");
      self.onSent();
    } catch (err) {
      reportError(err);
    } finally {
      busy = false;
      button.textContent = t("readyReply.send");
      showText();
    }
  });
  function setDisabled(disabled, why) {
    off = disabled;
    form.classList.toggle("is-disabled", disabled);
    pick.disabled = disabled;
    choice.disabled = disabled;
    disabledNote.hidden = !disabled;
    disabledNote.textContent = disabled ? why : "";
    showText();
  }
  const self = { el: form, load, setDisabled, onSent: () => {} };
  return self;
}

function confirmDialog(title, body, okText) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-body").textContent = body;
  $("confirm-ok").textContent = okText;
  $("confirm-cancel").textContent = t("common.cancel");
  const opener = document.activeElement;
  if (dialog.open) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok) => {
      $("confirm-ok").removeEventListener("click", yes);
      $("confirm-cancel").removeEventListener("click", no);
      dialog.removeEventListener("close", no);
      if (dialog.open) dialog.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(ok);
    };
    const yes = () => done(true);
    const no = () => done(false);
    $("confirm-ok").addEventListener("click", yes);
    $("confirm-cancel").addEventListener("click", no);
    dialog.addEventListener("close", no);
    dialog.showModal();
    $("confirm-cancel").focus();
  });
}

// ---------------------------------------------------------------- print

function printView(root, r) {
  setTitle(t("print.title"));
  const toolbar = h(
    "div",
    { class: "print-toolbar no-print" },
    h("a", { class: "btn", href: `#/handoff/${encodeURIComponent(r.id)}` }, t("print.back")),
    h("button", { type: "button", class: "btn btn-primary", on: { click: () => window.print() } }, t("print.print")),
  );
  const page = h("article", { class: "print-page" }, heading(t("print.title")), h("p", { class: "muted" }, t("common.loading")));
  append(root, [toolbar, page]);

  async function refresh({ live = false } = {}) {
    if (live) return; // a printed record is a snapshot; it does not follow live changes
    let data;
    try {
      data = await api("GET", `/handoffs/${encodeURIComponent(r.id)}/export?lang=${encodeURIComponent(state.lang)}`);
    } catch (err) {
      viewProblem(page, err);
      return;
    }
    clear(page);
    const x = data.handoff;
    const person = data.person ?? {};
    append(page, [
      heading(t("print.title")),
      h("p", { class: "muted" }, t("print.exported", { at: formatTime(data.exportedAt), by: typeof data.exportedBy === "string" ? data.exportedBy : (data.exportedBy?.email ?? t("common.none")) })),
      dl([
        [t("print.id"), h("code", {}, x.id)],
        [t("handoff.status"), label("status", x.status)],
        [t("handoff.risk"), riskLabel(x.risk)],
        [t("handoff.reason"), label("reason", x.reason)],
        [t("handoff.channel"), label("channel", x.channel)],
        [t("handoff.language"), languageName(x.language)],
        [t("handoff.person"), person.masked ? t("handoff.personHidden") : (person.platformUserId ?? t("common.none"))],
        [t("handoff.assignee"), x.assignee?.email ?? t("queue.unassigned")],
        [t("handoff.created"), formatTime(x.createdAt)],
      ]),
      data.location ? [h("h2", {}, t("location.title")), h("p", {}, coordinates(data.location)), safeHttpUrl(data.location.mapUrl) ? h("p", { class: "url" }, safeHttpUrl(data.location.mapUrl)) : null] : null,
      h("h2", {}, t("reports.title")),
      (data.reports ?? []).length ? data.reports.map(reportBlock) : h("p", {}, t("reports.none")),
      h("h2", {}, t("transcript.title")),
      h("ol", { class: "transcript print-transcript" }, (data.transcript ?? []).map(transcriptItem)),
    ]);
  }
  return { refresh, dispose() {} };
}

// ---------------------------------------------------------------- audit log (admin)

/** The retention purge's counts in words; other entries' details as they are stored. */
function auditDetail(e) {
  if (!e.detail) return t("common.none");
  if (e.action === "retention.purge") {
    const sentences = [t("audit.purged", e.detail), t("audit.purgedWhy", e.detail)];
    if (e.detail.keptOpen) sentences.push(t("audit.purgeKept", { count: e.detail.keptOpen }));
    return sentences.join(" ");
  }
  return h("code", { class: "detail" }, JSON.stringify(e.detail));
}

function auditView(root) {
  setTitle(t("audit.title"));
  const body = h("tbody");
  const problem = h("div");
  const more = h("button", { type: "button", class: "btn", hidden: true, on: { click: () => load(false) } }, t("audit.older"));
  const end = h("p", { class: "muted", hidden: true }, t("audit.noMore"));
  const table = h(
    "table",
    { class: "data-table audit-table" },
    h("caption", { class: "visually-hidden" }, t("audit.title")),
    h(
      "thead",
      {},
      h("tr", {}, [t("audit.colTime"), t("audit.colActor"), t("audit.colAction"), t("audit.colTarget"), t("audit.colDetail")].map((text) => h("th", { scope: "col" }, text))),
    ),
    body,
  );
  append(root, [h("section", { class: "panel" }, heading(t("audit.title")), problem, h("div", { class: "table-wrap" }, table), h("div", { class: "button-row" }, more), end)]);

  let oldest = null;
  const colNames = [t("audit.colTime"), t("audit.colActor"), t("audit.colAction"), t("audit.colTarget"), t("audit.colDetail")];
  async function load(reset) {
    const query = new URLSearchParams({ limit: String(AUDIT_PAGE) });
    if (!reset && oldest !== null) query.set("before", String(oldest));
    more.disabled = true;
    let data;
    try {
      data = await api("GET", `/audit?${query}`);
    } catch (err) {
      viewProblem(problem, err);
      more.disabled = false;
      return;
    }
    clear(problem);
    if (reset) clear(body);
    const entries = data.entries ?? [];
    if (reset && !entries.length) body.append(h("tr", {}, h("td", { colspan: "5", class: "muted" }, t("audit.empty"))));
    for (const e of entries) {
      const target = e.targetType
        ? e.targetType === "handoff" && e.targetId
          ? h("a", { href: `#/handoff/${encodeURIComponent(e.targetId)}` }, `${label("target", e.targetType)} ${e.targetId}`)
          : `${label("target", e.targetType)}${e.targetId ? ` ${e.targetId}` : ""}`
        : t("common.none");
      const cells = [timeEl(e.at), e.actor ? label("actor", e.actor) : t("common.none"), label("action", e.action), target, auditDetail(e)];
      body.append(h("tr", { dataset: { auditId: e.id, action: e.action } }, cells.map((c, i) => h("td", { dataset: { label: colNames[i] } }, c))));
    }
    if (entries.length) oldest = entries[entries.length - 1].id;
    const maybeMore = entries.length >= AUDIT_PAGE;
    more.hidden = !maybeMore;
    more.disabled = false;
    end.hidden = maybeMore || (reset && !entries.length);
  }
  return {
    refresh: async ({ live = false } = {}) => {
      if (live) return; // the log is read on demand; "older" pages would be lost on a reload
      oldest = null;
      await load(true);
    },
    dispose() {},
  };
}

// ---------------------------------------------------------------- accounts (admin)

function accountsView(root) {
  setTitle(t("accounts.title"));
  const problem = h("div");
  const list = h("div", { class: "table-wrap" });
  const email = h("input", { id: "new-email", type: "email", name: "email", autocomplete: "off", required: true });
  const role = h("select", { id: "new-role", name: "role" }, ROLES.map((r) => h("option", { value: r }, label("role", r))));
  const password = h("input", { id: "new-password", type: "password", name: "password", autocomplete: "new-password", minlength: PASSWORD_MIN, required: true, "aria-describedby": "new-password-hint" });
  const formError = h("p", { class: "form-error", role: "alert" });
  const create = h(
    "form",
    { class: "panel stack create-account", on: { submit: onCreate } },
    h("h2", {}, t("accounts.create")),
    h("div", { class: "field" }, h("label", { for: "new-email" }, t("accounts.email")), email),
    h("div", { class: "field" }, h("label", { for: "new-role" }, t("accounts.role")), role),
    h("div", { class: "field" }, h("label", { for: "new-password" }, t("accounts.password")), password, h("p", { class: "hint", id: "new-password-hint" }, t("accounts.passwordHint", { min: PASSWORD_MIN }))),
    formError,
    h("div", {}, h("button", { type: "submit", class: "btn btn-primary" }, t("accounts.submit"))),
  );
  append(root, [h("section", { class: "accounts" }, heading(t("accounts.title")), problem, h("div", { class: "panel" }, list), create)]);

  async function onCreate(e) {
    e.preventDefault();
    formError.textContent = "";
    if (!email.value.trim() || password.value.length < PASSWORD_MIN) {
      formError.textContent = t("accounts.invalid", { min: PASSWORD_MIN });
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

  async function refresh({ live = false } = {}) {
    if (live) return;
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
          h(
            "tbody",
            {},
            (data.accounts ?? []).map((a) => {
              const self = a.id === state.me?.account.id;
              const selectId = `role-${a.id}`;
              const select = h("select", { id: selectId, dataset: { focusKey: `role-${a.id}` } }, ROLES.map((r) => h("option", { value: r, selected: a.role === r }, label("role", r))));
              const roleButton = h("button", { type: "button", class: "btn btn-small", dataset: { focusKey: `rolebtn-${a.id}` }, on: { click: () => select.value !== a.role && update(a, { role: select.value }, roleButton) } }, t("accounts.changeRole"));
              const toggle = h(
                "button",
                { type: "button", class: `btn btn-small ${a.active ? "btn-danger" : ""}`, dataset: { focusKey: `active-${a.id}` }, disabled: self, on: { click: () => update(a, { active: !a.active }, toggle) } },
                a.active ? t("accounts.disable") : t("accounts.enable"),
              );
              const locked = a.lockedUntil && new Date(a.lockedUntil).getTime() > Date.now();
              const unlock = locked ? h("button", { type: "button", class: "btn btn-small", dataset: { focusKey: `unlock-${a.id}` }, on: { click: () => update(a, { unlock: true }, unlock) } }, t("accounts.unlock")) : null;
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
            }),
          ),
        ),
      ]);
    });
  }
  return { refresh, dispose() {} };
}

// ---------------------------------------------------------------- start

async function switchLanguage(lang) {
  if (lang === state.lang || !CONSOLE_LANGS.includes(lang)) return;
  try {
    await loadTexts(lang);
  } catch {
    showAlert(t("error.network"));
    return;
  }
  try {
    localStorage.setItem(LS_LANG, lang);
  } catch {
    /* ignore */
  }
  applyStaticTexts();
  if (state.me) route({ force: true, focus: false });
  else showSignIn($("signin-notice").textContent);
}

async function boot() {
  const lang = pickLanguage();
  try {
    await loadTexts(lang);
  } catch {
    try {
      await loadTexts(lang === "ko" ? "en" : "ko");
    } catch {
      /* keys are shown as they are */
    }
  }
  loadFilters();
  applyStaticTexts();

  $("signin-form").addEventListener("submit", onSignInSubmit);
  $("signout").addEventListener("click", signOut);
  for (const btn of document.querySelectorAll(".lang-btn")) btn.addEventListener("click", () => switchLanguage(btn.dataset.lang));
  $("skip-link").addEventListener("click", (e) => {
    e.preventDefault();
    const target = $("signin").hidden ? ($("view").querySelector("h1") ?? $("main")) : $("signin-email");
    target.focus();
  });
  window.addEventListener("hashchange", () => route({ focus: true }));
  setInterval(tickWaits, WAIT_TICK_MS);

  try {
    state.me = await api("GET", "/me");
  } catch (err) {
    state.me = null;
    if (!(err instanceof ApiError && err.status === 401)) showAlert(errorText(err));
  }
  if (state.me) signedIn();
  else showSignIn();
}

boot();
