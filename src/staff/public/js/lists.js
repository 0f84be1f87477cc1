// @ts-check
// Paged, filtered lists (the queue, the reports): filter selects, the pages of a list API
// with `next` cursors, and the "load more" button.
import { api } from "./api.js";
import { definitions } from "./definitions.js";
import { h, nextId } from "./dom.js";
import { t } from "./i18n.js";
import { reportError } from "./notices.js";

/**
 * A filter of a list: sets `filters[name]` and calls `changed`.
 * @param {string} name
 * @param {string} labelText
 * @param {[string, string][]} options [value, text]
 * @param {Record<string, string>} filters
 * @param {() => void} changed
 */
export function filterSelect(name, labelText, options, filters, changed) {
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

/**
 * A filter's options: "any" (no filter), then each value with its label.
 * @param {string[]} values
 * @param {(value: string) => string} labelOf
 * @returns {[string, string][]}
 */
export const anyOr = (values, labelOf) => [["", t("queue.any")], ...values.map((v) => /** @type {[string, string]} */ ([v, labelOf(v)]))];

/** The set filters of a list as query parameters. @param {Record<string, string>} filters */
export function filterQuery(filters) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) q.set(key, value);
  return q;
}

/**
 * Fetches pages of `path` (a list API with `next` cursors) until at least `atLeast` rows are
 * in: a live refresh keeps what "load more" had already shown.
 * @param {string} path
 * @param {URLSearchParams} query
 * @param {string} key where the page holds its rows
 * @param {number} atLeast
 */
async function fetchPages(path, query, key, atLeast) {
  const { page, pageMax } = definitions().limits;
  /** @type {unknown[]} */
  const rows = [];
  /** @type {string | null} */
  let next = null;
  let first = null;
  do {
    const q = new URLSearchParams(query);
    q.set("limit", String(Math.min(pageMax, Math.max(page, atLeast - rows.length))));
    if (next) q.set("cursor", next);
    const data = await api("GET", `${path}?${q}`);
    first ??= data;
    rows.push(...data[key]);
    next = data.next;
  } while (next && rows.length < atLeast);
  return { first, rows, next };
}

/**
 * The rows of a paged list API as a view shows them.
 * @template Row
 * @typedef {{ rows: Row[], next: string | null,
 *   reload: (query: URLSearchParams, atLeast: number) => Promise<any>,
 *   more: (query: URLSearchParams) => Promise<boolean> }} PagedList
 */

/**
 * The rows of a paged list API (`path`, rows under `key`, `next` cursors) as a view shows them:
 * `reload` fetches anew (a live reload keeps as many rows as were shown) and gives the first
 * page's answer, `more` appends the next page. An answer overtaken by a newer reload is dropped
 * (reload gives null, more false).
 * @template Row
 * @param {string} path
 * @param {string} key
 * @returns {PagedList<Row>}
 */
export function pagedList(path, key) {
  let seq = 0;
  /** @type {PagedList<Row>} */
  const list = {
    rows: [],
    next: null,
    async reload(query, atLeast) {
      const mine = ++seq;
      try {
        const result = await fetchPages(path, query, key, atLeast);
        if (mine !== seq) return null;
        list.rows = /** @type {Row[]} */ (result.rows);
        list.next = result.next;
        return result.first;
      } catch (err) {
        if (mine === seq) throw err;
        return null;
      }
    },
    async more(query) {
      const mine = seq;
      const q = new URLSearchParams(query);
      q.set("cursor", String(list.next));
      const data = await api("GET", `${path}?${q}`);
      if (mine !== seq) return false;
      list.rows = [...list.rows, ...data[key]];
      list.next = data.next;
      return true;
    },
  };
  return list;
}

/**
 * "Load more" under a list: appends the page after the last, then calls `onLoaded`.
 * @param {PagedList<unknown>} list
 * @param {() => URLSearchParams} query
 * @param {() => void} onLoaded
 */
export function moreButton(list, query, onLoaded) {
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

/** How many rows a refresh fetches: as many as were shown for a live one, else one page. @param {boolean} live @param {number} shown */
export const rowsToKeep = (live, shown) => (live ? shown : definitions().limits.page);
