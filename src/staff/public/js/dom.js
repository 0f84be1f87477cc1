// @ts-check
// Building the page. Data from the API only ever goes in as text (textContent, text nodes,
// attributes): never parsed as HTML, never run as code.

/** @typedef {Node | string | number | null | undefined | false} Child */
/** @typedef {Child | Children[]} Children */
/**
 * @typedef {{ class?: string, text?: string | number, dataset?: Record<string, string | number>,
 *   on?: Record<string, (event: any) => void>, value?: string, checked?: boolean, disabled?: boolean,
 *   hidden?: boolean, selected?: boolean, required?: boolean,
 *   [attribute: string]: unknown }} Props
 */

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "required"]);

/** The element with this id in index.html. @param {string} id @returns {HTMLElement} */
export const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * createElement with props and children. Strings become text nodes (never HTML).
 * props: class, text, dataset, on: {event: fn}, boolean/value props, anything else → attribute.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props | null} [props]
 * @param {Children[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = String(value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") for (const [k, v] of Object.entries(/** @type {Record<string, unknown>} */ (value))) el.dataset[k] = String(v);
    else if (key === "on") for (const [event, fn] of Object.entries(/** @type {Record<string, EventListener>} */ (value))) el.addEventListener(event, fn);
    else if (PROPERTIES.has(key)) /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (el))[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** @template {Element} E @param {E} el @param {Children[]} children @returns {E} */
export function append(el, children) {
  for (const child of /** @type {Child[]} */ (/** @type {unknown[]} */ (children).flat(Infinity))) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** @template {Element} E @param {E} el @returns {E} */
export function clear(el) {
  el.replaceChildren();
  return el;
}

let uid = 0;
/** A page-unique element id. @param {string} prefix */
export const nextId = (prefix) => `${prefix}-${++uid}`;

/** Only http(s) links from data (a map URL); anything else is not linked. @param {unknown} value */
export function safeHttpUrl(value) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value, location.href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Re-renders `container` and puts the focus back on the element with the same data-focus-key.
 * @param {HTMLElement} container
 * @param {() => void} render
 */
export function preserveFocus(container, render) {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.focusKey : undefined;
  render();
  if (key) {
    const again = [...container.querySelectorAll("[data-focus-key]")].find((el) => el instanceof HTMLElement && el.dataset.focusKey === key);
    if (again instanceof HTMLElement && !(/** @type {HTMLButtonElement} */ (again).disabled)) again.focus({ preventScroll: true });
  }
}

/** @param {string} kind @param {string} value @param {string} text */
export function badge(kind, value, text) {
  return h("span", { class: `badge badge-${kind} ${kind}-${String(value).replace(/[^a-z_]/gi, "")}`, dataset: { [kind]: value } }, text);
}

/** A definition list of [term, value] rows; falsy rows are left out. @param {([string, Children] | null | false)[]} rows */
export function dl(rows, className = "meta") {
  return h(
    "dl",
    { class: className },
    rows.filter((row) => !!row).map(([term, value]) => h("div", { class: "meta-row" }, h("dt", {}, term), h("dd", {}, value))),
  );
}
