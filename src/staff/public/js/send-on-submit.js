// @ts-check
// The submit of a form that sends one thing (a typed reply or note, a ready reply): one send
// at a time, the button says so meanwhile, an error is shown, a success clears the alert.
import { reportError, showAlert } from "./notices.js";

/**
 * @template T
 * @param {HTMLFormElement} form
 * @param {HTMLButtonElement} button
 * @param {object} steps
 * @param {string} steps.busyText the button's text while sending
 * @param {string} steps.idleText its text otherwise
 * @param {() => T | null} steps.take what to send; null sends nothing
 * @param {(value: T) => Promise<void>} steps.send
 * @param {(value: T) => void} steps.sent after a successful send
 * @param {() => void} steps.settled after either outcome (the button's state)
 * @returns {() => boolean} whether a send is under way
 */
export function sendOnSubmit(form, button, { busyText, idleText, take, send, sent, settled }) {
  let busy = false;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (busy) return;
    const value = take();
    if (value === null) return;
    busy = true;
    button.disabled = true;
    button.textContent = busyText;
    try {
      await send(value);
      showAlert("");
      sent(value);
    } catch (err) {
      reportError(err);
    } finally {
      busy = false;
      button.textContent = idleText;
      settled();
    }
  });
  return () => busy;
}
