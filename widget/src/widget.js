// S3martMed chat widget: one <script> tag embeds the assistant's chat on any page.
//
//   <script src="https://portal.example/widget/s3martmed-chat.js"
//           data-server="https://bot.example" data-language="fr" data-cluster="biowin"></script>
//
// It talks to Rasa's Socket.IO channel (credentials.yml, `socketio:`), keeps the
// conversation across page loads, and renders every message as text. See docs/widget.md.

import { io } from "socket.io-client";
import STRINGS from "./i18n.json";
import CSS from "./widget.css";
import { adoptStyles, appendText, chatIcon, el } from "./dom.js";
import { storage } from "./storage.js";

const USER_EVENT = "user_uttered"; // credentials.yml: socketio.user_message_evt
const BOT_EVENT = "bot_uttered"; // credentials.yml: socketio.bot_message_evt
const MAX_HISTORY = 200;
const KEY = "s3martmed-chat";

// Captured now: `document.currentScript` is only set while this file runs.
const SCRIPT = document.currentScript || document.querySelector('script[src*="s3martmed-chat"]');

function primaryLanguage(tag) {
  return String(tag || "").trim().toLowerCase().split(/[-_]/)[0];
}

function readConfig(script) {
  const data = (script && script.dataset) || {};
  const scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  return {
    language: primaryLanguage(data.language || document.documentElement.lang || navigator.language) || "en",
    cluster: data.cluster || null,
    server: (data.server || scriptOrigin).replace(/\/+$/, ""),
    socketPath: data.socketPath || "/socket.io",
  };
}

function mount(config) {
  const uiLanguage = STRINGS[config.language] ? config.language : "en";
  const t = STRINGS[uiLanguage];
  const local = storage("localStorage"); // the session id: survives reloads and new tabs
  const tab = storage("sessionStorage"); // the transcript and open state of this tab
  const sessionKey = `${KEY}:session:${config.server}`;
  const openKey = `${KEY}:open`;
  const historyKey = (id) => `${KEY}:history:${id}`;

  let sessionId = local.get(sessionKey);
  const history = sessionId ? tab.getJSON(historyKey(sessionId), []) : [];
  const outbox = [];
  let socket = null;
  let confirmed = false;

  // --- the DOM, in a shadow root so that page and widget styles stay apart
  const launcher = el(
    "button",
    { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "panel" },
    [chatIcon(), el("span", {}, t.launcher)],
  );
  const closeButton = el("button", { type: "button", class: "close", "aria-label": t.close, title: t.close }, [
    el("span", { "aria-hidden": "true" }, "×"),
  ]);
  const log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-labelledby": "title", tabindex: "0" });
  const status = el("p", { class: "status", role: "status", hidden: true }, t.connecting);
  const input = el("input", {
    id: "input", type: "text", autocomplete: "off", enterkeyhint: "send", maxlength: "2000", placeholder: t.input,
  });
  const form = el("form", { class: "composer" }, [
    el("label", { for: "input", class: "sr-only" }, t.input),
    input,
    el("button", { type: "submit", class: "send" }, t.send),
  ]);
  const panel = el("section", { id: "panel", class: "panel", role: "dialog", "aria-labelledby": "title", hidden: true }, [
    el("header", {}, [el("h2", { id: "title" }, t.title), closeButton]),
    log,
    status,
    form,
  ]);
  const root = el("div", { class: "widget", lang: uiLanguage }, [launcher, panel]);
  const host = el("div", { id: "s3martmed-chat" });
  const shadow = host.attachShadow({ mode: "open" });
  adoptStyles(shadow, CSS);
  shadow.append(root);

  // --- the transcript
  function save() {
    if (sessionId) tab.setJSON(historyKey(sessionId), history.slice(-MAX_HISTORY));
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function renderChoices(entry) {
    const group = el("div", { class: "choices" });
    entry.buttons.forEach((button, index) => {
      const node = el("button", { type: "button", class: "choice", disabled: Boolean(entry.done) }, button.title);
      if (index === entry.chosen) node.classList.add("chosen");
      node.addEventListener("click", () => {
        entry.chosen = index;
        node.classList.add("chosen");
        send(button.payload, button.title);
        input.focus();
      });
      group.append(node);
    });
    return group;
  }

  function render(entry) {
    const bubble = el("p", { class: "bubble" }, el("span", { class: "sr-only" }, `${entry.who === "user" ? t.you : t.bot}: `));
    appendText(bubble, entry.text || "");
    const item = el("div", { class: `message from-${entry.who}` }, bubble);
    if (entry.image) item.append(el("img", { src: entry.image, alt: "" }));
    if (entry.buttons && entry.buttons.length) item.append(renderChoices(entry));
    log.append(item);
    scrollToEnd();
  }

  function add(entry) {
    history.push(entry);
    render(entry);
    save();
  }

  // A bot message of Rasa's socketio output: {text}, {text, quick_replies} or {attachment}.
  function receive(message) {
    if (!message || typeof message !== "object") return;
    const buttons = (message.quick_replies || message.buttons || [])
      .filter((button) => button && button.title != null && button.payload != null)
      .map((button) => ({ title: String(button.title), payload: String(button.payload) }));
    const attachment = message.attachment && message.attachment.payload;
    const image = attachment && /^https?:\/\//i.test(attachment.src) ? String(attachment.src) : null;
    const text = typeof message.text === "string" ? message.text : "";
    if (text || buttons.length || image) add({ who: "bot", text, buttons, image });
  }

  // --- the connection
  function metadata() {
    const data = { language: config.language };
    if (config.cluster) data.preferred_cluster = config.cluster;
    return data;
  }

  function flush() {
    if (!confirmed) return connect();
    while (outbox.length) {
      socket.emit(USER_EVENT, { message: outbox.shift(), session_id: sessionId, metadata: metadata() });
    }
  }

  function connect() {
    if (socket) return;
    status.hidden = false;
    socket = io(config.server, { path: config.socketPath, transports: ["websocket", "polling"], tryAllTransports: true });
    socket.on("connect", () => {
      status.hidden = true;
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", (reply) => {
      const id = typeof reply === "string" ? reply : reply && reply.session_id;
      if (!id) return;
      if (id !== sessionId) {
        sessionId = id;
        local.set(sessionKey, id);
      }
      confirmed = true;
      save();
      flush();
    });
    socket.on(BOT_EVENT, receive);
    socket.on("disconnect", () => {
      confirmed = false;
      status.hidden = false;
    });
    socket.on("connect_error", () => {
      status.hidden = false;
    });
  }

  function send(text, shownAs) {
    const message = String(text).trim();
    if (!message) return;
    // Answering moves the conversation on: earlier choices no longer apply.
    history.forEach((entry) => {
      if (entry.buttons && entry.buttons.length) entry.done = true;
    });
    log.querySelectorAll(".choice").forEach((button) => {
      button.disabled = true;
    });
    add({ who: "user", text: shownAs || message });
    outbox.push(message);
    flush();
  }

  // --- opening and closing
  function setOpen(open, moveFocus = true) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    root.classList.toggle("open", open);
    tab.set(openKey, open ? "1" : "");
    if (open) {
      connect();
      scrollToEnd();
      if (moveFocus) input.focus();
    } else if (moveFocus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", () => setOpen(panel.hidden));
  closeButton.addEventListener("click", () => setOpen(false));
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      setOpen(false);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(input.value);
    input.value = "";
    input.focus();
  });

  history.forEach(render);
  document.body.append(host);
  if (tab.get(openKey)) setOpen(true, false);

  return { open: () => setOpen(true), close: () => setOpen(false) };
}

if (!window.S3martMedChat) {
  window.S3martMedChat = {};
  const config = readConfig(SCRIPT);
  const start = () => Object.assign(window.S3martMedChat, mount(config));
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
}
