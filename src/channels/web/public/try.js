// @ts-check
// Test chat client: shows the conversation as the person sees it on a phone. What the person
// sends appears at once (an "echo") and is replaced by the server's copy when it arrives; every
// message from the server is shown once, by its position in the chat, however the reads overlap.

/**
 * @typedef {{ id: string, label: string }} Choice
 * @typedef {{ latitude: number, longitude: number }} Place
 * @typedef {{ id: number, direction: "in" | "out", kind: string, text: string | null, choices?: Choice[],
 *   requestLocation?: { label: string }, location?: Place, end?: "stopped" | "erased", clientId?: string }} SeenMessage
 * @typedef {{ language: string | null, next: number, messages: SeenMessage[] }} ReadAnswer
 * @typedef {{ text: string } | { choice: string } | { location: Place }} Outgoing
 */

/** @param {string} id @returns {HTMLElement} */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const log = byId("log");
const textInput = /** @type {HTMLInputElement} */ (byId("text"));
const sendForm = /** @type {HTMLFormElement} */ (byId("send"));
const locationForm = /** @type {HTMLFormElement} */ (byId("location"));
const latitudeInput = /** @type {HTMLInputElement} */ (byId("latitude"));
const longitudeInput = /** @type {HTMLInputElement} */ (byId("longitude"));
const locationError = byId("location-error");
const openLocation = byId("open-location");
const clearOffer = byId("clear-offer");

const SESSION_KEY = "safeline-session";
/** The position the page's view starts from after it was cleared (per session). */
const CLEARED_KEY = "safeline-cleared";

/** @type {{ languages: string[], texts: Record<string, Record<string, string>> }} */
let catalog = { languages: [], texts: {} };
let language = "en";

const newId = () => crypto.randomUUID().replaceAll("-", "");
let session = localStorage.getItem(SESSION_KEY) || newId();
localStorage.setItem(SESSION_KEY, session);
/** The `next` of the last read: the server's messages before it are on the page (or were cleared). */
let cursor = clearedUpTo(session);
/** Server messages on the page, by session and position: each is shown once. */
/** @type {Set<string>} */
const shown = new Set();
/** The page's own copies of what it sent, until the server's copy replaces them. */
/** @type {Map<string, HTMLElement>} */
const echoes = new Map();
/** The server erased this chat and forgot the session: the next message starts a new one. */
let erased = false;
/** Sends go one after another, so the server receives them in the order they were made. */
let sending = Promise.resolve();
let reading = false;
let readAgain = false;

/** @param {string} key @param {Record<string, string | number>} [params] */
function t(key, params = {}) {
  const text = catalog.texts[language]?.[key] ?? catalog.texts.en?.[key] ?? "";
  return text.replace(/{{\s*(\w+)\s*}}/g, (_, name) => String(params[name] ?? ""));
}

/** @param {string} session */
function clearedUpTo(session) {
  const saved = JSON.parse(localStorage.getItem(CLEARED_KEY) || "null");
  return saved && saved.session === session ? Number(saved.upTo) || 0 : 0;
}

/** The page speaks the conversation's language: its `lang` attribute and its own words. */
function setLanguage(/** @type {string} */ lng) {
  if (!catalog.texts[lng]) return;
  language = lng;
  document.documentElement.lang = lng;
  document.title = t("try.title");
  for (const el of document.querySelectorAll("[data-text]")) el.textContent = t(/** @type {string} */ (el.getAttribute("data-text")));
  for (const el of document.querySelectorAll("[data-aria]")) el.setAttribute("aria-label", t(/** @type {string} */ (el.getAttribute("data-aria"))));
  for (const el of document.querySelectorAll("[data-placeholder]")) el.setAttribute("placeholder", t(/** @type {string} */ (el.getAttribute("data-placeholder"))));
}

/** @param {Place} place */
const placeText = (place) => t("try.location", { latitude: place.latitude.toFixed(5), longitude: place.longitude.toFixed(5) });

/** What a person's message says on screen: what they typed, the button they tapped, the place they shared. */
function personText(/** @type {SeenMessage} */ message) {
  if (message.location) return placeText(message.location);
  return message.text ?? t("try.tapped");
}

/** The location pin, drawn (no emoji font needed). */
function pin() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "pin");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("viewBox", "0 0 24 24");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5a2.5 2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5z");
  svg.append(path);
  return svg;
}

/** A bubble: who wrote it (for screen readers) and what it says. */
function bubble(/** @type {"in" | "out"} */ direction, /** @type {string} */ text) {
  const div = document.createElement("div");
  div.className = `msg ${direction}`;
  const who = document.createElement("span");
  who.className = "visually-hidden";
  who.setAttribute("data-text", direction === "in" ? "try.you" : "try.bot");
  who.textContent = t(direction === "in" ? "try.you" : "try.bot");
  const body = document.createElement("div");
  body.className = "body";
  body.textContent = text;
  div.append(who, body);
  return div;
}

/** Server messages go above the echoes still waiting for their copy, so the order is the server's. */
function place(/** @type {HTMLElement} */ el) {
  const waiting = [...log.querySelectorAll(".msg.pending")].find((other) => other !== el);
  log.insertBefore(el, waiting ?? null);
}

function scrollDown() {
  log.scrollTop = log.scrollHeight;
}

function botMessage(/** @type {SeenMessage} */ message) {
  const div = bubble("out", message.text ?? "");
  if (message.choices || message.requestLocation) {
    const row = document.createElement("div");
    row.className = "choices";
    if (message.requestLocation) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "location";
      button.append(pin(), message.requestLocation.label);
      button.addEventListener("click", () => showLocationForm(button));
      row.append(button);
    }
    for (const choice of message.choices ?? []) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = choice.label;
      button.addEventListener("click", (event) => {
        for (const b of row.querySelectorAll("button")) /** @type {HTMLButtonElement} */ (b).disabled = true;
        send({ choice: choice.id }, choice.label);
        // From the keyboard, focus moves on to the message box (the tapped button is disabled);
        // a finger's tap leaves it, so a phone's keyboard does not pop up.
        if (event.detail === 0) textInput.focus();
      });
      row.append(button);
    }
    div.append(row);
  }
  return div;
}

function showServerMessage(/** @type {SeenMessage} */ message) {
  const key = `${session}:${message.id}`;
  if (shown.has(key)) return;
  shown.add(key);
  // An erasure erases the tap that confirmed it too: what this page sent before the end of the
  // chat (the delete-it-yourself line comes first, then the erasure's confirmation) stays as sent.
  if (message.end) settleSentEchoes();
  const echo = message.clientId ? echoes.get(message.clientId) : undefined;
  if (echo) {
    // The server's copy of what this page sent: the echo becomes it, in the server's order.
    echoes.delete(/** @type {string} */ (message.clientId));
    echo.classList.remove("pending", "failed");
    const body = echo.querySelector(".body");
    if (body) body.textContent = personText(message);
    echo.querySelector(".retry")?.remove();
    place(echo);
  } else {
    place(message.direction === "in" ? bubble("in", personText(message)) : botMessage(message));
  }
  if (message.end) {
    if (message.end === "erased") erased = true;
    clearOffer.hidden = false;
  }
  scrollDown();
}

/** Echoes whose message the server took, when their server copy will never come. */
function settleSentEchoes() {
  for (const [clientId, echo] of echoes) {
    if (!echo.dataset.sent) continue;
    echoes.delete(clientId);
    echo.classList.remove("pending");
  }
}

function notice(/** @type {string} */ text) {
  const div = document.createElement("div");
  div.className = "msg notice";
  div.setAttribute("role", "status");
  div.textContent = text;
  place(div);
  scrollDown();
}

/** Reads what is new; overlapping calls run one read after another, never two at once. */
async function read() {
  if (reading) {
    readAgain = true;
    return;
  }
  reading = true;
  try {
    do {
      readAgain = false;
      const asked = session;
      const response = await fetch(`/try/api/messages?session=${encodeURIComponent(asked)}&after=${cursor}`, { cache: "no-store" });
      if (!response.ok) break;
      /** @type {ReadAnswer} */
      const answer = await response.json();
      if (asked !== session) continue;
      if (answer.language) setLanguage(answer.language);
      for (const message of answer.messages) showServerMessage(message);
      cursor = Math.max(cursor, answer.next);
    } while (readAgain);
  } catch {
    // Offline for a moment: the next read catches up.
  } finally {
    reading = false;
  }
}

/** A fresh conversation: the old one was erased, and the server no longer knows this session. */
function newSession() {
  session = newId();
  localStorage.setItem(SESSION_KEY, session);
  cursor = 0;
  erased = false;
}

/** Shows what the person sent at once, and sends it after whatever is still being sent. */
function send(/** @type {Outgoing} */ outgoing, /** @type {string} */ shownAs) {
  if (erased) newSession();
  clearOffer.hidden = true;
  const clientId = newId();
  const echo = bubble("in", shownAs);
  echo.classList.add("pending");
  echoes.set(clientId, echo);
  log.append(echo);
  scrollDown();
  const to = session;
  sending = sending.then(() => deliver(to, clientId, outgoing, echo));
}

/** Posts one message; a retry uses the same id, so the server keeps it once. */
async function deliver(/** @type {string} */ to, /** @type {string} */ clientId, /** @type {Outgoing} */ outgoing, /** @type {HTMLElement} */ echo) {
  let response;
  try {
    const hint = catalog.texts[language] && language !== "en" ? language : navigator.language;
    response = await fetch("/try/api/messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session: to, id: clientId, language: hint, ...outgoing }),
    });
  } catch {
    response = undefined;
  }
  if (response?.ok) {
    echo.dataset.sent = "1";
    // Not awaited: the next send must not wait for reads, which go on while messages keep coming.
    void read();
    return;
  }
  if (response?.status === 429) {
    const { retryAfterSeconds } = await response.json();
    notice(t("try.tooFast", { seconds: retryAfterSeconds }));
  }
  if (!echoes.has(clientId) || echo.querySelector(".retry")) return;
  echo.classList.add("failed");
  const retry = document.createElement("button");
  retry.type = "button";
  retry.className = "retry";
  retry.textContent = `${t("try.notSent")} ${t("try.retry")}`;
  retry.addEventListener("click", () => {
    retry.remove();
    echo.classList.remove("failed");
    sending = sending.then(() => deliver(to, clientId, outgoing, echo));
  });
  echo.append(retry);
}

/** Clears the page's own view, as a person deletes a chat on LINE; an erased chat starts afresh. */
function clearView() {
  for (const el of [...log.children]) if (!el.classList.contains("pending")) el.remove();
  clearOffer.hidden = true;
  if (erased) newSession();
  else localStorage.setItem(CLEARED_KEY, JSON.stringify({ session, upTo: cursor }));
  notice(t("try.cleared"));
  textInput.focus();
}

/** @type {HTMLElement | null} */
let locationOpener = null;
function showLocationForm(/** @type {HTMLElement} */ opener) {
  locationOpener = opener;
  locationForm.hidden = false;
  locationError.hidden = true;
  openLocation.setAttribute("aria-expanded", "true");
  latitudeInput.focus();
}
function hideLocationForm() {
  locationForm.hidden = true;
  openLocation.setAttribute("aria-expanded", "false");
  const back = locationOpener && locationOpener.isConnected && !(/** @type {HTMLButtonElement} */ (locationOpener).disabled) ? locationOpener : textInput;
  back.focus();
}
function locationProblem(/** @type {string} */ text) {
  locationError.textContent = text;
  locationError.hidden = false;
}

sendForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textInput.value.trim();
  if (!text) return;
  textInput.value = "";
  send({ text }, text);
});

openLocation.addEventListener("click", () => (locationForm.hidden ? showLocationForm(openLocation) : hideLocationForm()));
byId("location-cancel").addEventListener("click", hideLocationForm);
for (const input of [latitudeInput, longitudeInput]) input.addEventListener("input", () => (locationError.hidden = true));
locationForm.addEventListener("keydown", (event) => {
  if (event.key === "Escape") hideLocationForm();
});
// The browser's position only when asked for, and with the browser's own permission prompt.
byId("use-device").addEventListener("click", () => {
  if (!navigator.geolocation) return locationProblem(t("try.locationUnavailable"));
  navigator.geolocation.getCurrentPosition(
    (position) => {
      latitudeInput.value = position.coords.latitude.toFixed(5);
      longitudeInput.value = position.coords.longitude.toFixed(5);
      locationError.hidden = true;
    },
    () => locationProblem(t("try.locationUnavailable")),
    { timeout: 15_000, maximumAge: 60_000 },
  );
});
locationForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const latitude = Number(latitudeInput.value);
  const longitude = Number(longitudeInput.value);
  const valid = latitudeInput.value.trim() !== "" && longitudeInput.value.trim() !== "" && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
  if (!valid || Number.isNaN(latitude) || Number.isNaN(longitude)) return locationProblem(t("try.locationInvalid"));
  const location = { latitude, longitude };
  latitudeInput.value = "";
  longitudeInput.value = "";
  hideLocationForm();
  send({ location }, placeText(location));
});
byId("clear").addEventListener("click", clearView);
// Another tab of this browser started a new conversation (after /delete): this one follows it.
window.addEventListener("storage", (event) => {
  if (event.key !== SESSION_KEY || !event.newValue || event.newValue === session) return;
  for (const el of [...log.children]) el.remove();
  echoes.clear();
  session = event.newValue;
  cursor = clearedUpTo(session);
  erased = false;
  clearOffer.hidden = true;
  void read();
});

async function start() {
  try {
    catalog = await (await fetch("/try/texts.json")).json();
  } catch {
    // The page keeps its English words.
  }
  const preferred = navigator.language.toLowerCase().split(/[-_]/)[0] ?? "en";
  setLanguage(catalog.texts[preferred] ? preferred : "en");
  await read();
  // A new visitor: start the conversation, as a messenger's Start button does.
  if (cursor === 0 && shown.size === 0 && echoes.size === 0) send({ text: "/start" }, "/start");
  setInterval(read, 1000);
}

void start();
