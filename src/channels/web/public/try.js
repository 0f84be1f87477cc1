// Test chat client: posts what the person types or taps and polls for new messages.
const log = document.getElementById("log");
const form = document.getElementById("send");
const input = document.getElementById("text");
const session = localStorage.getItem("safeline-session") || crypto.randomUUID().replaceAll("-", "");
localStorage.setItem("safeline-session", session);
let after = 0;

function show(message) {
  const div = document.createElement("div");
  div.className = `msg ${message.direction}`;
  div.textContent = message.text ?? (message.payload && message.payload.choice ? `[${message.payload.choice}]` : `[${message.kind}]`);
  const choices = message.payload && message.payload.choices;
  if (message.direction === "out" && choices) {
    const row = document.createElement("div");
    row.className = "choices";
    for (const choice of choices) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = choice.label;
      button.addEventListener("click", () => post({ choice: choice.id }));
      row.append(button);
    }
    div.append(row);
  }
  log.append(div);
  log.scrollTop = log.scrollHeight;
}

async function post(body) {
  const id = crypto.randomUUID().replaceAll("-", "");
  const response = await fetch("/try/api/messages", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ session, id, language: navigator.language, ...body }),
  });
  if (response.status === 429) {
    const notice = document.createElement("div");
    notice.className = "msg notice";
    const { retryAfterSeconds } = await response.json();
    notice.textContent = `Too many messages from your address. Please try again in ${retryAfterSeconds} s.`;
    log.append(notice);
  }
  poll();
}

async function poll() {
  const response = await fetch(`/try/api/messages?session=${session}&after=${after}`);
  if (!response.ok) return;
  const { messages } = await response.json();
  for (const message of messages) {
    after = Math.max(after, message.id);
    show(message);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  post({ text });
});

setInterval(poll, 800);
poll().then(() => { if (after === 0) post({ text: "/start" }); });
