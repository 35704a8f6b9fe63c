// The shop tablet: write or photograph an order, check the draft, tap confirm. Every step is a turn of
// POST /api/v1/turns; the token comes in the URL fragment (#token=…), never sent in a URL to the server.
"use strict";

// Every word on this screen comes from the assistant's one catalogue (/screens/labels.json: code → [zh, en]).
let WORDS = {};
const FIELD_ROWS = { customer: "customer", date: "date", item: "item", amount: "amount" };

const state = { token: null, lang: "zh", busy: false, draftId: null };

function word(key) {
  const entry = WORDS[key];
  return entry ? entry[state.lang === "en" ? 1 : 0] : key;
}

async function loadWords() {
  try {
    WORDS = await (await fetch("/screens/labels.json")).json();
  } catch (error) {
    WORDS = {};  // the page still works; labels stay as the HTML wrote them
  }
}

function say(text, kind) {
  const p = document.createElement("p");
  p.className = `message ${kind || ""}`;
  p.textContent = text;
  const log = document.getElementById("conversation");
  log.prepend(p);
}

function setLanguage(lang) {
  state.lang = lang;
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-text]")) if (WORDS[el.dataset.text]) el.textContent = word(el.dataset.text);
  for (const el of document.querySelectorAll("[data-placeholder]")) el.placeholder = word(el.dataset.placeholder);
}

async function turn(body) {
  if (!state.token) { say(word("ui-no-token"), "error"); return null; }
  state.busy = true;
  try {
    const headers = { Authorization: `Bearer ${state.token}` };
    if (!(body instanceof FormData)) headers["Content-Type"] = "application/json";
    const response = await fetch("/api/v1/turns", {
      method: "POST", headers, body: body instanceof FormData ? body : JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) {
      const error = data.error || {};
      say(error.message || `HTTP ${response.status}`, "error");
      return null;
    }
    show(data);
    return data;
  } catch (error) {
    say(String(error), "error");
    return null;
  } finally {
    state.busy = false;
  }
}

function show(result) {
  if (result.reply && result.reply.language) setLanguage(result.reply.language === "en" ? "en" : "zh");
  if (result.reply && result.reply.text) say(result.reply.text);
  for (const doc of result.documents || []) {
    if (doc.type === "sales_order" || doc.type === "transfer") {
      const total = doc.total != null ? ` · ${word("ui-total")} ${doc.total.toFixed(2)}` : "";
      say(`${doc.id} ${word("ui-posted")}${total}`, "done");
      if (doc.type === "sales_order" && doc.status === "confirmed") watchContract(doc.id);
    }
  }
  state.draftId = result.draft ? result.draft.id : null;  // a confirm tap names the draft it confirms
  renderDraft(result.draft, result.input ? result.input.fields || [] : []);
  renderQuestion(result.reply ? result.reply.text : "", result.actions || []);
}

// A confirmed sale at a site that signs contracts gets its signed PDF a moment later: offer it for download.
async function watchContract(docId) {
  const headers = { Authorization: `Bearer ${state.token}` };
  for (let attempt = 0; attempt < 15; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1000 + 500 * attempt));
    const response = await fetch(`/api/v1/documents/${encodeURIComponent(docId)}`, { headers }).catch(() => null);
    if (!response || !response.ok) return;
    const doc = await response.json();
    if (doc.contract) { offerContract(doc.contract); return; }
  }
}

function offerContract(contract) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "contract";
  button.dataset.contract = contract.number;
  button.textContent = `${word("ui-contract-download")} ${contract.number}`;
  button.addEventListener("click", async () => {
    const response = await fetch(contract.url, { headers: { Authorization: `Bearer ${state.token}` } });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      say((body.error && body.error.message) || `HTTP ${response.status}`, "error");
      return;
    }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = `${contract.number}.pdf`;
    link.click();
  });
  const p = document.createElement("p");
  p.className = "message done";
  p.append(button);
  document.getElementById("conversation").prepend(p);
}

function renderQuestion(text, actions) {
  // The question waiting for an answer (confirm the draft, register a new customer) with its buttons.
  const section = document.getElementById("question");
  const buttons = document.getElementById("actions");
  buttons.replaceChildren();
  section.hidden = actions.length === 0;
  document.getElementById("asked").textContent = actions.length ? text : "";
  for (const action of actions) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.action = action.id;
    button.textContent = action.label;
    button.addEventListener("click", () => { if (!state.busy) turn(action.id === "confirm" && state.draftId ? { action: action.id, draft: state.draftId } : { action: action.id }); });
    buttons.append(button);
  }
}

function renderDraft(draft, fields) {
  const section = document.getElementById("draft");
  const rows = document.getElementById("draft-rows");
  rows.replaceChildren();
  if (!draft) { section.hidden = true; return; }
  const title = document.getElementById("draft-title");
  title.dataset.text = draft.type === "transfer" ? "ui-draft-transfer" : "ui-draft";
  title.textContent = word(title.dataset.text);
  const line = (draft.lines || [])[0] || {};
  const customer = draft.customer ? draft.customer.name : "";
  const values = {
    customer, date: draft.date || "", item: line.item_name || line.item || "", amount: line.qty_text || "",
    price: line.price_text || "",
    total: draft.total != null ? draft.total.toFixed(2) : "",
  };
  for (const key of Object.keys(values)) {
    if (draft.type !== "sales_order" && ["customer", "date", "price", "total"].includes(key)) continue;
    const tr = document.createElement("tr");
    tr.dataset.field = key;
    const th = document.createElement("th");
    th.textContent = word(`ui-${key}`);
    const td = document.createElement("td");
    td.textContent = values[key];
    if (key === "customer" && draft.customer && draft.customer.new) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = word("ui-new-customer");
      td.append(" ", badge);
    }
    const reading = fields.find((f) => FIELD_ROWS[f.name] === key);
    if (reading && reading.low_confidence) {
      tr.classList.add("doubtful");
      if (reading.alternatives && reading.alternatives.length) {
        const maybe = document.createElement("span");
        maybe.className = "maybe";
        maybe.textContent = word("ui-maybe") + reading.alternatives.map((a) => a.label).join(state.lang === "en" ? ", " : "、");
        td.append(maybe);
      }
    }
    tr.append(th, td);
    rows.append(tr);
  }
  section.hidden = false;
}

function setUpPad() {
  const pad = document.getElementById("pad");
  const ink = pad.getContext("2d");
  const clear = () => { ink.fillStyle = "#fff"; ink.fillRect(0, 0, pad.width, pad.height); };
  clear();
  ink.lineWidth = 7; ink.lineCap = "round"; ink.lineJoin = "round"; ink.strokeStyle = "#111";
  let last = null;
  const at = (event) => {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * pad.width / box.width, (event.clientY - box.top) * pad.height / box.height];
  };
  pad.addEventListener("pointerdown", (event) => { pad.setPointerCapture(event.pointerId); last = at(event); });
  pad.addEventListener("pointermove", (event) => {
    if (!last) return;
    const next = at(event);
    ink.beginPath(); ink.moveTo(...last); ink.lineTo(...next); ink.stroke();
    last = next;
  });
  for (const end of ["pointerup", "pointercancel"]) pad.addEventListener(end, () => { last = null; });
  document.getElementById("clear").addEventListener("click", clear);
  document.getElementById("read").addEventListener("click", () => {
    if (state.busy) return;
    say(word("ui-sending"), "you");
    pad.toBlob((blob) => {
      const form = new FormData();
      form.append("image", blob, "note.png");
      turn(form);
    }, "image/png");
  });
}

function takeToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("token")) {
    localStorage.setItem("frontline-token", fragment.get("token"));
    history.replaceState(null, "", location.pathname);  // keep the token out of the address bar
  }
  state.token = localStorage.getItem("frontline-token");
  document.getElementById("device").textContent = state.token ? state.token.split(".")[0] : "";
}

function sendAudio(blob, name) {
  const form = new FormData();
  form.append("audio", blob, name);
  turn(form);
}

function setUpVoice() {
  // Tap to speak, tap again when done. Browsers give the microphone only to secure pages (HTTPS or this
  // machine); elsewhere the tablet's own recorder app records the clip instead.
  const talk = document.getElementById("talk");
  const fallback = document.getElementById("recording");
  let recorder = null;
  talk.addEventListener("click", async () => {
    if (recorder) { recorder.stop(); return; }
    if (state.busy) return;
    if (!navigator.mediaDevices || !window.MediaRecorder) { fallback.click(); return; }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      say(word("ui-no-mic"), "error");
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", (event) => chunks.push(event.data));
    recorder.addEventListener("stop", () => {
      for (const track of stream.getTracks()) track.stop();
      const type = recorder.mimeType || "audio/webm";
      recorder = null;
      talk.classList.remove("recording");
      talk.textContent = word(talk.dataset.text);
      sendAudio(new Blob(chunks, { type }), "voice.webm");
    });
    recorder.start();
    talk.classList.add("recording");
    talk.textContent = word("ui-stop");
    say(word("ui-listening"), "you");
  });
  fallback.addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file && !state.busy) sendAudio(file, file.name);
    event.target.value = "";
  });
}

async function start() {
  await loadWords();
  takeToken();
  window.addEventListener("hashchange", takeToken);  // the link opened again, maybe for another device
  setLanguage(navigator.language && navigator.language.startsWith("en") ? "en" : "zh");
  document.getElementById("language").addEventListener("click", () => setLanguage(state.lang === "en" ? "zh" : "en"));
  setUpPad();
  setUpVoice();
  document.getElementById("photo").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (!file || state.busy) return;
    say(word("ui-sending"), "you");
    const form = new FormData();
    form.append("image", file, file.name);
    turn(form);
    event.target.value = "";
  });
  document.getElementById("say").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("text");
    const text = input.value.trim();
    if (!text || state.busy) return;
    say(text, "you");
    input.value = "";
    turn({ text });
  });
  if (!state.token) say(word("ui-no-token"), "error");
}

start();
