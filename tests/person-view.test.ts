// What a person sees of their own chat (src/store/person-view.ts): taps by the label they
// tapped, nothing of a row beyond what was on their screen, undelivered replies waited for,
// rows they never saw passed over without losing the place.
import { describe, expect, it } from "vitest";
import { seenPage, type PersonRow } from "../src/store/person-view.ts";

let seq = 0;
const row = (r: Partial<PersonRow> & Pick<PersonRow, "direction" | "kind">): PersonRow => ({
  seq: ++seq,
  conversationId: "c1",
  text: null,
  payload: null,
  status: r.direction === "out" ? "sent" : "received",
  eventId: null,
  ...r,
});
const question = (text: string, choices: [string, string][], extra: object = {}) =>
  row({ direction: "out", kind: "text", text, payload: { key: "q.key", choices: choices.map(([id, label]) => ({ id, label })), reply: { token: "t", until: "x" }, ...extra } });

describe("the person's view of their chat", () => {
  it("shows a tap as the label of the latest message that offered it, found before the page if need be", () => {
    seq = 0;
    const asked = question("어떤 언어로 대화할까요?", [["ko", "한국어"], ["en", "English"]]);
    const tap = row({ direction: "in", kind: "choice", payload: { choice: "ko" }, eventId: "s:p1" });
    const again = question("지금 안전하게 대화할 수 있나요?", [["yes", "예"], ["no", "아니요"]]);
    const tap2 = row({ direction: "in", kind: "choice", payload: { choice: "yes" } });
    const stale = row({ direction: "in", kind: "choice", payload: { choice: "nowhere" } });
    const page = seenPage([tap, again, tap2, stale], [asked], 1);
    expect(page.messages.map((m) => [m.direction, m.text])).toEqual([
      ["in", "한국어"],
      ["out", "지금 안전하게 대화할 수 있나요?"],
      ["in", "예"],
      ["in", null],
    ]);
    expect(page.messages[0]).toEqual({ id: 2, direction: "in", kind: "choice", text: "한국어", eventId: "s:p1" });
    // Only the buttons: no text key, no reply token.
    expect(page.messages[1]).toEqual({ id: 3, direction: "out", kind: "text", text: "지금 안전하게 대화할 수 있나요?", choices: [{ id: "yes", label: "예" }, { id: "no", label: "아니요" }] });
    expect(page.next).toBe(5);
  });

  it("waits at a reply not yet delivered, and passes over replies never delivered and erased rows", () => {
    seq = 0;
    const rows = [
      row({ direction: "in", kind: "erased" }),
      row({ direction: "out", kind: "erased", status: "sent" }),
      row({ direction: "out", kind: "text", text: "cancelled by /stop", status: "cancelled", payload: { key: "a" } }),
      row({ direction: "in", kind: "text", text: "withdrawn", status: "unsent" }),
      row({ direction: "in", kind: "location", payload: { latitude: 11.5, longitude: 104.9 } }),
      row({ direction: "out", kind: "text", text: "on its way", status: "pending", payload: { key: "b" } }),
      row({ direction: "out", kind: "text", text: "after it", payload: { key: "c" } }),
    ];
    const page = seenPage(rows);
    expect(page.messages).toEqual([{ id: 5, direction: "in", kind: "location", text: null, location: { latitude: 11.5, longitude: 104.9 } }]);
    expect(page.next).toBe(5);
  });

  it("marks the end of a quick exit and of an erasure, and names the erased conversation once its last reply is read", () => {
    seq = 0;
    const stopped = seenPage([
      row({ direction: "out", kind: "text", text: "OK.", payload: { key: "stop.done" } }),
      row({ direction: "out", kind: "text", text: "Delete the chat yourself.", payload: { key: "stop.deleteYourself" } }),
    ]);
    expect(stopped.messages.map((m) => m.end)).toEqual(["stopped", "stopped"]);
    expect(stopped.erasedChatRead).toBeUndefined();
    const erased = seenPage([
      row({ direction: "out", kind: "text", text: "Erased.", payload: { key: "delete.done" }, conversationId: "c9" }),
      row({ direction: "out", kind: "text", text: "Delete the chat yourself.", payload: { key: "stop.deleteYourself", forgetChat: true }, conversationId: "c9" }),
    ]);
    expect(erased.messages.map((m) => m.end)).toEqual(["erased", "erased"]);
    expect(erased.erasedChatRead).toBe("c9");
    expect(JSON.stringify(erased.messages)).not.toMatch(/forgetChat|key/);
  });
});
