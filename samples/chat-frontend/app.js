// BuzzTalk sample chat client. nginx serves this folder and, on the same
// origin, proxies /backend/ (prefix stripped) and /ws/ to the Django backend.
"use strict";

const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const PAGE_SIZE = 100; // the backend returns at most this many messages per call
const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 30000;

const $ = (id) => document.getElementById(id);
const ui = {
  roomForm: $("room-form"),
  room: $("room"),
  status: $("status"),
  messages: $("messages"),
  sendForm: $("send-form"),
  author: $("author"),
  text: $("text"),
  error: $("error"),
};

const state = {
  room: null,
  socket: null,
  retries: 0,
  retryTimer: null,
  // Every message up to this id has been loaded, so catching up resumes
  // here. Only history requests advance it: live and POSTed messages can
  // arrive while older ones are still missing.
  syncedId: null,
  shownIds: new Set(), // history and live delivery overlap; show each message once
  catchUp: Promise.resolve(), // history requests run one after another
};

function historyUrl(room, after) {
  const url = `/backend/api/rooms/${encodeURIComponent(room)}/messages`;
  return after === null ? url : `${url}?after=${after}`;
}

function socketUrl(room) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/chat/${encodeURIComponent(room)}/`;
}

function setStatus(text) {
  ui.status.textContent = text;
}

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
}

// Inserts a message in id order. Messages mostly arrive in order, so the
// search for the insertion point starts from the end.
function addMessage(message) {
  if (message.room !== state.room || state.shownIds.has(message.id)) {
    return;
  }
  state.shownIds.add(message.id);

  const item = document.createElement("li");
  item.dataset.id = message.id;
  const time = document.createElement("time");
  time.dateTime = message.created;
  time.textContent = new Date(message.created).toLocaleTimeString();
  const author = document.createElement("strong");
  author.textContent = message.author;
  const text = document.createElement("span");
  text.textContent = message.text;
  item.append(time, author, text);

  let next = null;
  for (let node = ui.messages.lastElementChild; node && Number(node.dataset.id) > message.id;
    node = node.previousElementSibling) {
    next = node;
  }
  const atBottom = ui.messages.scrollTop + ui.messages.clientHeight >= ui.messages.scrollHeight - 4;
  ui.messages.insertBefore(item, next);
  if (atBottom) {
    item.scrollIntoView({ block: "end" });
  }
}

async function fetchJson(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error || `HTTP ${response.status}`);
  }
  return body;
}

// Loads what is missing: the latest page on first load, afterwards every
// message after syncedId, page by page. Runs on joining a room and on every
// (re)connect of the socket, which closes the gap left by a disconnect.
function catchUp() {
  const room = state.room;
  state.catchUp = state.catchUp.then(async () => {
    // Requests queued or in flight when the user switches rooms are dropped.
    while (room === state.room) {
      const after = state.syncedId;
      const { messages } = await fetchJson(historyUrl(room, after));
      if (room !== state.room) {
        return;
      }
      messages.forEach(addMessage);
      if (messages.length > 0) {
        state.syncedId = messages[messages.length - 1].id;
      }
      if (after === null || messages.length < PAGE_SIZE) {
        return;
      }
    }
  }).catch((error) => showError(`Could not load messages: ${error.message}`));
}

function connect() {
  const room = state.room;
  const socket = new WebSocket(socketUrl(room));
  state.socket = socket;
  setStatus("connecting…");

  socket.onopen = () => {
    state.retries = 0;
    setStatus("live");
    catchUp();
  };
  socket.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === "message") {
      addMessage(data.message);
    } else if (data.type === "error") {
      showError(data.error);
    }
  };
  socket.onclose = () => {
    if (state.socket !== socket) {
      return; // closed on purpose by switching rooms
    }
    state.socket = null;
    // Exponential backoff with jitter, so that replicas coming back are not
    // hit by every client at the same moment.
    const ceiling = Math.min(MAX_RETRY_MS, MIN_RETRY_MS * 2 ** state.retries);
    const delay = ceiling / 2 + Math.random() * ceiling / 2;
    state.retries += 1;
    setStatus(`offline, retrying in ${Math.ceil(delay / 1000)} s`);
    state.retryTimer = setTimeout(connect, delay);
  };
}

function joinRoom(room) {
  if (state.socket) {
    const socket = state.socket;
    state.socket = null;
    socket.close();
  }
  clearTimeout(state.retryTimer);
  state.room = room;
  state.retries = 0;
  state.syncedId = null;
  state.shownIds.clear();
  ui.messages.replaceChildren();
  ui.room.value = room;
  showError("");
  document.title = `#${room} – BuzzTalk chat`;
  catchUp();
  connect();
}

async function send(author, text) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify({ author, text }));
    return;
  }
  // No live connection: post over HTTP; the reply is the stored message.
  const message = await fetchJson(historyUrl(state.room, null), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ author, text }),
  });
  addMessage(message);
}

ui.roomForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const room = ui.room.value.trim();
  if (ROOM_NAME.test(room)) {
    location.hash = room; // hashchange joins the room
  }
});

ui.sendForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const author = ui.author.value.trim();
  const text = ui.text.value;
  if (!author || !text.trim() || !state.room) {
    return;
  }
  localStorage.setItem("buzztalk.author", author);
  try {
    await send(author, text);
    ui.text.value = "";
    showError("");
  } catch (error) {
    showError(`Could not send: ${error.message}`);
  }
});

// Valid room names need no URL encoding, so the hash is used as it is.
function roomFromHash() {
  const room = location.hash.slice(1);
  return ROOM_NAME.test(room) ? room : "lobby";
}

window.addEventListener("hashchange", () => joinRoom(roomFromHash()));
ui.author.value = localStorage.getItem("buzztalk.author") || "";
joinRoom(roomFromHash());
