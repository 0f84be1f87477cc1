// @ts-check
// Live updates: the server's event stream says when something may have changed; the shown
// view refreshes (debounced), and a new handoff is announced outside the queue too.
import { API, ApiError, fetchSession, api } from "./api.js";
import { noteHandoffs } from "./new-handoffs.js";
import { shownView } from "./router.js";
import { session, setSession } from "./session.js";
/** @import { QueuePage } from "./types.js" */

const REFRESH_DEBOUNCE_MS = 300;

/** @type {EventSource | null} */
let events = null;
let refreshTimer = 0;

export function startEvents() {
  stopEvents();
  const stream = new EventSource(`${API}/events`);
  let opened = false;
  stream.addEventListener("change", scheduleRefresh);
  // The server ends the stream when the session has ended: find out (a 401 shows sign-in).
  stream.addEventListener("expired", () => {
    stream.close();
    if (events === stream) events = null;
    fetchSession().then(
      (me) => {
        setSession(me);
        startEvents();
        scheduleRefresh();
      },
      () => {},
    );
  });
  stream.addEventListener("open", () => {
    // After a reconnect changes may have been missed.
    if (opened) scheduleRefresh();
    opened = true;
  });
  stream.addEventListener("error", () => {
    if (stream.readyState !== EventSource.CLOSED || events !== stream) return;
    // The server refused the stream (e.g. the session ended): check the session, then retry.
    events = null;
    setTimeout(async () => {
      if (!session() || events) return;
      try {
        setSession(await fetchSession());
        startEvents();
        scheduleRefresh();
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 401)) setTimeout(() => session() && !events && startEvents(), 10_000);
      }
    }, 3000);
  });
  events = stream;
}

export function stopEvents() {
  events?.close();
  events = null;
}

/** A refresh due after a change event is not wanted any more (the session ended). */
export function cancelRefresh() {
  clearTimeout(refreshTimer);
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    const shown = shownView();
    if (!session() || !shown) return;
    shown.view.refresh({ live: true });
    if (shown.name !== "queue") watchForNewHandoffs();
  }, REFRESH_DEBOUNCE_MS);
}

/** Outside the queue view: still tell the user when a new handoff arrives. */
async function watchForNewHandoffs() {
  try {
    const data = /** @type {QueuePage} */ (await api("GET", "/handoffs"));
    noteHandoffs(data.handoffs, true);
  } catch {
    /* the current view reports its own errors */
  }
}
