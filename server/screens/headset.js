// The headset view: what a worker sees in the AR glasses (854×480), or on a phone or laptop standing in for them.
// One WebSocket (/ws/headset, the token from the URL fragment #token=…) carries everything: the microphone as
// 16 kHz 16-bit PCM (resampled in an AudioWorklet, headset-worklet.js), the live captions and the final transcript,
// each reply (with its read-back, the route after a confirmed transfer), the AGV news and where the AGV is.
"use strict";

// Every word on this screen comes from the assistant's one catalogue (/screens/labels.json: code → [zh, en]).
let WORDS = {};
const TOKEN_KEY = "frontline-headset-token";
const LANGUAGE_KEY = "frontline-headset-language";
const MAX_UTTERANCE_CHUNKS = 280;  // 28 s of 100 ms chunks: the server takes at most 30 s in one utterance
const PREROLL_CHUNKS = 3;          // hands-free: the 300 ms before the VAD opened, so the first word is whole

const state = {
  token: null, lang: "zh", socket: null, refused: false, retryMs: 1000,
  audio: null, talking: false, handsFree: false, vadOpen: false, preroll: [], chunks: 0,
  draftId: null, awaiting: null, frame: null, speaking: 0, heard: "",
};

function word(key, values) {
  const entry = WORDS[key];
  let text = entry ? entry[state.lang === "en" ? 1 : 0] : key;
  for (const [name, value] of Object.entries(values || {})) text = text.replaceAll(`{${name}}`, value);
  return text;
}

async function loadWords() {
  try {
    WORDS = await (await fetch("/screens/labels.json")).json();
  } catch (error) {
    WORDS = {};  // the page still works; labels stay as the HTML wrote them
  }
}

const $ = (id) => document.getElementById(id);

function label(element, key) {
  element.dataset.text = key;
  if (WORDS[key]) element.textContent = word(key);
}

function setLanguage(lang) {
  state.lang = lang === "en" ? "en" : "zh";
  document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-text]")) if (WORDS[el.dataset.text]) el.textContent = word(el.dataset.text);
  for (const li of $("progress").children) li.textContent = state.lang === "en" ? li.dataset.en : li.dataset.zh;
  for (const card of $("cards").querySelectorAll(".card.agv")) renderAgvCard(card);
}

// --- what the worker sees ----------------------------------------------------------------------------------

function caption(text, kind) {
  const el = $("caption");
  el.textContent = text;
  el.className = kind || "";
}

function problem(text) {
  // Errors in words, never codes: the catalogue's sentence for what went wrong.
  caption(text, "error");
  speak(text, state.lang);
}

function errorWords(error) {
  if (!error) return word("ui-headset-offline");
  return (state.lang === "en" ? error.message_en : error.message_zh) || error.message;
}

function showReply(reply, turn) {
  setLanguage(reply.language);
  $("reply").hidden = false;
  $("reply-title").textContent = reply.card.title;
  $("reply-text").textContent = reply.text;
  state.awaiting = reply.awaiting;
  state.draftId = turn && turn.draft ? turn.draft.id : null;
  const asking = reply.awaiting === "confirmation" && turn && (turn.actions || []).some((a) => a.id === "confirm");
  $("question").hidden = !asking;
  if ($("caption").className === "thinking") caption("", "");  // a tapped button: nothing was heard to show
  showStock(turn);
  for (const doc of (turn && turn.documents) || []) if (doc.type === "agv_order") showOrder(doc);
  speak(reply.tts, reply.language);
  if (reply.guidance) {
    showMap(reply.guidance);
    speak(reply.guidance.tts, reply.language);
  }
}

function showStock(turn) {
  // A stock answer as a card: where the item is and how much of it is free (the reply says it with units).
  const found = ((turn && turn.reply && turn.reply.messages) || []).map((m) => m.custom).find((c) => c && c.stock);
  const old = $("cards").querySelector(".card.stock");
  if (old) old.remove();
  if (!found || !found.stock.length) return;
  const card = document.createElement("div");
  card.className = "card stock";
  card.dataset.item = found.item;
  const title = document.createElement("h3");
  title.textContent = state.lang === "en" ? found.item : found.stock[0].item_name;
  const table = document.createElement("table");
  const head = document.createElement("tr");
  for (const key of ["", "ui-headset-available", "ui-headset-on-hand"]) {
    const th = document.createElement("th");
    if (key) label(th, key);
    head.append(th);
  }
  table.append(head);
  for (const line of found.stock) {
    const tr = document.createElement("tr");
    tr.dataset.location = line.location;
    for (const value of [state.lang === "en" ? line.location : line.location_name, line.available, line.on_hand]) {
      const td = document.createElement("td");
      td.textContent = typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) ? String(Number(value)) : value;
      tr.append(td);
    }
    table.append(tr);
  }
  card.append(title, table);
  $("cards").prepend(card);
}

// --- the map and the AGV -----------------------------------------------------------------------------------

function showMap(guidance) {
  // The guidance's SVG (the site, the worker's path, where the AGVs were), parsed as SVG and never as HTML.
  const parsed = new DOMParser().parseFromString(guidance.svg, "image/svg+xml");
  const svg = parsed.documentElement;
  if (svg.nodeName !== "svg") return;
  for (const script of svg.querySelectorAll("script, foreignObject")) script.remove();
  const map = $("map");
  const card = document.createElement("p");
  card.className = "route-card";
  card.textContent = [guidance.card.title, ...guidance.card.lines].join("  ·  ");
  map.replaceChildren(card, document.importNode(svg, true));
  const frame = (svg.getAttribute("data-frame") || "").split(" ").map(Number);
  state.frame = frame.length === 3 && frame.every(Number.isFinite) ? frame : null;
  map.hidden = false;
  document.body.classList.add("guiding");
}

function onMap(x, y) {
  // Metres on the site map → pixels of the 854×480 SVG (assistant/routing/render.py: MARGIN 36).
  const [x0, y0, scale] = state.frame;
  return [36 + (x - x0) * scale, 480 - 36 - (y - y0) * scale];
}

function marker(serial) {
  const svg = $("map").querySelector("svg");
  if (!svg) return null;
  let rect = svg.querySelector(`rect.agv[data-serial="${CSS.escape(serial)}"]`);
  let text = svg.querySelector(`text.agv-label[data-serial="${CSS.escape(serial)}"]`);
  if (!rect) {
    const ns = "http://www.w3.org/2000/svg";
    rect = document.createElementNS(ns, "rect");
    rect.setAttribute("class", "agv");
    rect.dataset.serial = serial;
    for (const [k, v] of Object.entries({ width: 18, height: 18, fill: "#ffb300" })) rect.setAttribute(k, v);
    text = document.createElementNS(ns, "text");
    text.setAttribute("class", "agv-label");
    text.dataset.serial = serial;
    for (const [k, v] of Object.entries({ "font-size": 11, "text-anchor": "middle", fill: "#ffb300" })) text.setAttribute(k, v);
    text.textContent = serial;
    svg.append(rect, text);
  }
  return { rect, text };
}

function moveAgv(vehicle) {
  if (!state.frame || vehicle.x == null || vehicle.y == null) return;
  const drawn = marker(vehicle.serial);
  if (!drawn) return;
  const [px, py] = onMap(vehicle.x, vehicle.y);
  drawn.rect.setAttribute("x", (px - 9).toFixed(1));
  drawn.rect.setAttribute("y", (py - 9).toFixed(1));
  drawn.text.setAttribute("x", px.toFixed(1));
  drawn.text.setAttribute("y", (py + 22).toFixed(1));
  drawn.rect.dataset.mapX = vehicle.x;
  drawn.rect.dataset.mapY = vehicle.y;
  if (drawn.rect.dataset.state !== "done") drawn.rect.dataset.state = vehicle.driving ? "driving" : "stopped";
}

function agvCard(serial) {
  let card = $("cards").querySelector(`.card.agv[data-serial="${CSS.escape(serial)}"]`);
  if (!card) {
    card = document.createElement("div");
    card.className = "card agv";
    card.dataset.serial = serial;
    card.append(document.createElement("h3"), document.createElement("p"));
    $("cards").append(card);
  }
  return card;
}

function renderAgvCard(card) {
  // The AGV's state in words: driving / stopped at a node / delivered / offline / fault, battery, its transfer.
  const d = card.dataset;
  card.querySelector("h3").textContent = `${word("ui-headset-agv")} ${d.serial}`;
  const parts = [];
  if (d.done === "true") parts.push(word("ui-headset-agv-done"));
  else if (d.offline === "true") parts.push(word("ui-headset-agv-offline"));
  else if (d.fault === "true") parts.push(word("ui-headset-agv-fault"));
  else if (d.driving === "true") parts.push(word("ui-headset-agv-driving"));
  else if (d.node) parts.push(word("ui-headset-agv-stopped", { node: d.node }));
  if (d.battery) parts.push(word("ui-headset-battery", { percent: d.battery }));
  if (d.doc) parts.push(word("ui-headset-order", { doc: d.doc }));
  card.querySelector("p").textContent = parts.join(" · ");
  card.dataset.state = d.done === "true" ? "done" : d.offline === "true" ? "offline" : d.fault === "true" ? "fault"
    : d.driving === "true" ? "driving" : "stopped";
}

function showOrder(order) {
  if (!order.agv) return;  // waiting for an AGV: the reply said so in words
  const card = agvCard(order.agv);
  Object.assign(card.dataset, { doc: order.transfer, done: String(order.status === "done") });
  renderAgvCard(card);
}

function showVehicle(vehicle) {
  moveAgv(vehicle);
  const card = agvCard(vehicle.serial);
  Object.assign(card.dataset, {
    driving: String(vehicle.driving), node: vehicle.last_node || "", offline: String(!vehicle.online),
    fault: String((vehicle.errors || []).length > 0),
    battery: vehicle.battery == null ? "" : String(Math.round(vehicle.battery)),
  });
  if (vehicle.doc_id) card.dataset.doc = vehicle.doc_id;
  renderAgvCard(card);
}

function showNotice(notice) {
  // AGV progress (arrived, picked, dropped, waiting, offline…): said in words, both languages kept for the switch.
  const li = document.createElement("li");
  li.dataset.event = notice.event;
  li.dataset.zh = notice.text_zh;
  li.dataset.en = notice.text_en;
  li.textContent = state.lang === "en" ? notice.text_en : notice.text_zh;
  const list = $("progress");
  list.hidden = false;
  list.append(li);  // shown newest first (headset.css), numbered in the order it happened
  $("panel").scrollTop = 0;
  speak(li.textContent, state.lang);
  const serial = notice.agv && notice.agv.serial;
  if (!serial) return;
  const card = agvCard(serial);
  if (notice.doc_id) card.dataset.doc = notice.doc_id;
  if (notice.event === "agv_dropped") {
    card.dataset.done = "true";
    const drawn = marker(serial);
    if (drawn) drawn.rect.dataset.state = "done";
    $("map").dataset.agv = "done";
  }
  renderAgvCard(card);
}

// --- speech out ----------------------------------------------------------------------------------------------

function speak(text, lang) {
  // The browser's own speech synthesis, when it has a voice for the language (many headsets and phones do;
  // a headless test browser has none): the words are on the screen either way.
  if (!text || !("speechSynthesis" in window)) return;
  const prefix = lang === "en" ? "en" : "zh";
  const voice = speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().startsWith(prefix));
  if (!voice) return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.voice = voice;
  utterance.lang = voice.lang;
  utterance.addEventListener("start", () => { state.speaking += 1; });
  for (const end of ["end", "error"]) utterance.addEventListener(end, () => { state.speaking = Math.max(0, state.speaking - 1); });
  speechSynthesis.speak(utterance);
}

function silence() {
  if ("speechSynthesis" in window) speechSynthesis.cancel();
  state.speaking = 0;
}

// --- the socket ----------------------------------------------------------------------------------------------

function setStatus(key, kind) {
  const el = $("status");
  el.dataset.state = kind;
  label(el, key);
}

function connect() {
  if (!state.token || state.refused) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/ws/headset?token=${encodeURIComponent(state.token)}`);
  socket.binaryType = "arraybuffer";
  state.socket = socket;
  let lastError = null;
  setStatus("ui-headset-connecting", "connecting");
  socket.addEventListener("open", () => {
    state.retryMs = 1000;
    setStatus("ui-headset-online", "online");
    socket.send(JSON.stringify({ config: { sample_rate: 16000 } }));
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.error) lastError = message.error;
    handle(message);
  });
  socket.addEventListener("close", (event) => {
    if (state.socket !== socket) return;
    state.socket = null;
    endTalking(false);
    if (event.code === 1008) {  // the token was refused: a new link is needed, retrying would not help
      state.refused = true;
      setStatus("ui-headset-offline", "refused");
      problem(lastError && lastError.code !== "auth-invalid-token" ? errorWords(lastError) : word("ui-headset-refused"));
      return;
    }
    setStatus("ui-headset-offline", "offline");
    setTimeout(connect, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, 10000);
  });
}

function handle(message) {
  // One shape per message (server/schemas/sockets.py); AGV news carries a `text` too, so `event` is asked first.
  if (message.error) {
    problem(errorWords(message.error));
  } else if (message.event) {
    showNotice(message);
  } else if (message.vehicle) {
    showVehicle(message.vehicle);
  } else if ("partial" in message) {
    if (message.partial) caption(message.partial, "partial");
  } else if ("text" in message && !("reply" in message)) {
    if (message.text) {
      caption(message.text, "final");
      state.heard = message.text;
    } else {  // the end of a press that held only the quiet after words already answered: show those words again
      caption(state.heard || "", state.heard ? "final" : "");
    }
  } else if (message.reply) {
    showReply(message.reply, message.turn);
  }
}

function send(data) {
  const socket = state.socket;
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(data);
  return true;
}

// --- the microphone ------------------------------------------------------------------------------------------

async function microphone() {
  // Opened once, on the first press (browsers want a gesture, and give the microphone only to secure pages).
  if (state.audio) return true;
  if (!window.isSecureContext || !navigator.mediaDevices || !window.AudioWorkletNode) {
    problem(word("ui-headset-insecure"));
    return false;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    const context = new AudioContext();
    await context.audioWorklet.addModule("/screens/headset-worklet.js");
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, "frontline-pcm");
    const mute = context.createGain();
    mute.gain.value = 0;  // the worklet must be pulled by the graph; nothing is played back
    source.connect(node).connect(mute).connect(context.destination);
    node.port.onmessage = (event) => onChunk(event.data);
    await context.resume();
    state.audio = { stream, context, node };
    return true;
  } catch (error) {
    problem(word("ui-no-mic"));
    return false;
  }
}

function onChunk({ pcm, speech }) {
  if (state.talking) {
    send(pcm);
    state.chunks += 1;
    if (state.chunks >= MAX_UTTERANCE_CHUNKS) endTalking(true);
    return;
  }
  if (!state.handsFree || state.speaking > 0 || (window.speechSynthesis && speechSynthesis.speaking)) {
    state.preroll = [];  // the assistant's own voice is not a command
    return;
  }
  if (!state.vadOpen) {
    state.preroll.push(pcm);
    if (state.preroll.length > PREROLL_CHUNKS) state.preroll.shift();
    if (!speech) return;
    state.vadOpen = true;
    state.chunks = 0;
    state.heard = "";
    caption(word("ui-listening"), "listening");
    for (const chunk of state.preroll) send(chunk);
    state.preroll = [];
    return;
  }
  send(pcm);
  state.chunks += 1;
  if (!speech || state.chunks >= MAX_UTTERANCE_CHUNKS) {  // the VAD heard the pause: the utterance is over
    state.vadOpen = false;
    if (send(JSON.stringify({ eof: 1 }))) caption(word("ui-headset-thinking"), "thinking");
  }
}

async function startTalking() {
  if (state.talking) return;
  if (!state.socket || state.socket.readyState !== WebSocket.OPEN) { problem(word("ui-headset-offline")); return; }
  if (!(await microphone())) return;
  silence();  // the worker talks over the assistant
  if (state.vadOpen) {  // hands-free had already started this utterance: go on with it, ended by the press
    state.vadOpen = false;
  } else {
    state.chunks = 0;
  }
  state.talking = true;
  state.heard = "";
  const talk = $("talk");
  talk.classList.add("recording");
  label(talk, "ui-headset-stop");
  caption(word("ui-listening"), "listening");
}

function endTalking(sendEof) {
  if (!state.talking) return;
  state.talking = false;
  const talk = $("talk");
  talk.classList.remove("recording");
  label(talk, "ui-headset-talk");
  // The last few ms still in the worklet stay there: the end of a press is the quiet after the words.
  if (sendEof && send(JSON.stringify({ eof: 1 }))) caption(word("ui-headset-thinking"), "thinking");
}

function toggleTalk() {
  if (state.talking) endTalking(true);
  else startTalking();
}

function tap(action) {
  // The confirm / cancel buttons: the tablet's tap, on the socket; a confirm names the read-back it confirms.
  if (state.talking) endTalking(true);
  const body = action === "confirm" && state.draftId ? { action, draft: state.draftId } : { action };
  if (!send(JSON.stringify(body))) { problem(word("ui-headset-offline")); return; }
  silence();
  $("question").hidden = true;
  caption(word("ui-headset-thinking"), "thinking");
}

async function toggleHandsFree() {
  const button = $("handsfree");
  if (!state.handsFree && !(await microphone())) return;
  state.handsFree = !state.handsFree;
  state.vadOpen = false;
  state.preroll = [];
  button.setAttribute("aria-pressed", String(state.handsFree));
  label(button, state.handsFree ? "ui-headset-handsfree-on" : "ui-headset-handsfree-off");
  label($("hint"), state.handsFree ? "ui-headset-handsfree-hint" : "ui-headset-hint");
}

// --- start ---------------------------------------------------------------------------------------------------

function takeToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("token")) {
    localStorage.setItem(TOKEN_KEY, fragment.get("token"));
    history.replaceState(null, "", location.pathname);  // keep the token out of the address bar
    state.refused = false;
    if (state.socket) state.socket.close();
  }
  state.token = localStorage.getItem(TOKEN_KEY);
  $("device").textContent = state.token ? state.token.split(".")[0] : "";
}

async function start() {
  await loadWords();
  // Chinese first; the English switch is remembered on the device, and each reply speaks its worker's language.
  setLanguage(localStorage.getItem(LANGUAGE_KEY) === "en" ? "en" : "zh");
  takeToken();
  window.addEventListener("hashchange", () => { takeToken(); if (!state.socket) connect(); });
  $("language").addEventListener("click", () => {
    setLanguage(state.lang === "en" ? "zh" : "en");
    localStorage.setItem(LANGUAGE_KEY, state.lang);
  });
  $("talk").addEventListener("click", toggleTalk);
  $("confirm").addEventListener("click", () => tap("confirm"));
  $("cancel").addEventListener("click", () => tap("cancel"));
  $("handsfree").addEventListener("click", toggleHandsFree);
  // The space bar is the talk button, wherever the focus is (a focused button must not also "click" on keyup).
  document.addEventListener("keydown", (event) => {
    if (event.code !== "Space") return;
    event.preventDefault();
    if (!event.repeat) toggleTalk();
  });
  document.addEventListener("keyup", (event) => { if (event.code === "Space") event.preventDefault(); });
  if ("speechSynthesis" in window) speechSynthesis.getVoices();  // the browser loads its voices on first asking
  if (!state.token) { problem(word("ui-no-token")); return; }
  connect();
}

start();
