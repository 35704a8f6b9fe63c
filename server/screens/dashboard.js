// The supervisors' dashboard: the site live over /ws/dashboard (a snapshot, then one message per change), no
// reload. The token comes in the URL fragment (#token=…), is kept for this tab only (sessionStorage) and never
// goes to the server in a page URL. Approve/reject and the audit trail's media go through the API with it.
"use strict";

let WORDS = {};
const KEEP_TURNS = 200;
const KEEP_NEWS = 40;
const state = {
  token: null, lang: "zh", chosen: false, socket: null, retry: 0, refused: false, live: false,
  site: null, names: { items: {}, locations: {}, units: {}, item_units: {}, workers: {} }, map: null, mayApprove: false,
  documents: new Map(), agvs: new Map(), turns: [], lowStock: [], alerts: new Map(), news: [], fresh: new Set(),
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
    WORDS = {};
  }
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  return node;
}

// --- names and numbers, in the reader's language ------------------------------------------------------------

const en = () => state.lang === "en";
const itemName = (code, fallback) => (state.names.items[code] || [fallback || code, fallback || code])[en() ? 1 : 0];
const placeName = (code) => (code ? (state.names.locations[code] || [code, code])[en() ? 1 : 0] : "");
const workerName = (code) => (code ? state.names.workers[code] || code : "");
function qty(value, item) {
  const unit = (state.names.units[state.names.item_units[item]] || ["", ""])[en() ? 1 : 0];
  const number = Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
  return en() ? `${number} ${unit}` : `${number}${unit}`;
}
function when(iso) {
  if (!iso) return "";
  const at = new Date(iso);
  const today = new Date().toDateString() === at.toDateString();
  const locale = en() ? "en-GB" : "zh-CN";
  return today ? at.toLocaleTimeString(locale, { hour12: false }) : at.toLocaleString(locale, { hour12: false });
}

// --- the documents ----------------------------------------------------------------------------------------

function upsertDocument(doc) {
  const known = state.documents.get(doc.id);
  // The newer of two versions wins: an event queued while the snapshot was read may be older than it.
  if (known && known.updated_at && doc.updated_at && doc.updated_at < known.updated_at) return false;
  state.documents.set(doc.id, known ? { ...known, ...doc } : doc);
  return true;
}

function lineText(doc) {
  return (doc.lines || []).map((line) => {
    const amount = qty(line.qty_base, line.item);
    if (doc.type === "transfer") {
      return `${itemName(line.item, line.item_name)} ${amount} ${placeName(line.from)} → ${placeName(line.to)}`;
    }
    return `${itemName(line.item, line.item_name)} ${amount}`;
  }).join("; ") + (doc.total != null ? ` · ${word("ui-total")} ${doc.total.toFixed(2)}` : "")
    + (doc.customer ? ` · ${doc.customer.name}` : "");
}

function statusBadge(status) {
  return el("span", { class: `status ${status}`, text: word(`ui-dashboard-status-${status}`) });
}

function docLink(id) {
  return el("button", { type: "button", class: "link", text: id, "data-open": id, onclick: () => openDocument(id) });
}

function renderDocuments() {
  const filter = document.getElementById("status-filter").value;
  const rows = document.getElementById("document-rows");
  const docs = [...state.documents.values()]
    .filter((d) => !filter || d.status === filter)
    .sort((a, b) => (b.created_at || "").localeCompare(a.created_at || "") || b.id.localeCompare(a.id));
  rows.replaceChildren(...docs.map((doc) => el("tr", {
    "data-id": doc.id, "data-status": doc.status, "data-type": doc.type,
    class: state.fresh.has(doc.id) ? "fresh" : null,
  },
  el("td", {}, docLink(doc.id)),
  el("td", { class: "nowrap", text: word(`ui-dashboard-type-${doc.type}`) }),
  el("td", { class: "nowrap" }, statusBadge(doc.status)),
  el("td", { class: "lines", text: lineText(doc) }),
  el("td", { text: [doc.worker_name || workerName(doc.worker), doc.device].filter(Boolean).join(" · ") }),
  el("td", { class: "nowrap", text: when(doc.updated_at || doc.created_at) }))));
  if (!docs.length) rows.append(el("tr", {}, el("td", { colSpan: 6, class: "empty", text: word("ui-dashboard-no-documents") })));
  renderApprovals();
}

function renderApprovals() {
  const list = document.getElementById("approval-list");
  const waiting = [...state.documents.values()].filter((d) => d.status === "awaiting_approval" && d.type === "transfer")
    .sort((a, b) => (a.created_at || "").localeCompare(b.created_at || ""));
  // Rebuilt only when the waiting transfers change: a button is never swapped under a pointer on its way to it.
  const shown = JSON.stringify([state.lang, state.mayApprove, waiting.map((d) => [d.id, d.updated_at])]);
  if (list.dataset.shown === shown) return;
  list.dataset.shown = shown;
  list.replaceChildren(...waiting.map((doc) => el("div", { class: "approval", "data-id": doc.id },
    el("span", { class: "what" }, docLink(doc.id), " ", lineText(doc), " ",
      el("span", { class: "muted", text: `${doc.worker_name || workerName(doc.worker)} · ${when(doc.created_at)}` })),
    state.mayApprove ? el("button", { type: "button", "data-decision": "approve", text: word("ui-dashboard-approve"),
      onclick: (event) => decide(doc.id, "approve", event.target) }) : null,
    state.mayApprove ? el("button", { type: "button", "data-decision": "reject", text: word("ui-dashboard-reject"),
      onclick: (event) => decide(doc.id, "reject", event.target) }) : null)));
  if (!waiting.length) list.append(el("p", { class: "empty", text: word("ui-dashboard-no-approvals") }));
}

async function api(path, options) {
  return fetch(path, { ...(options || {}), headers: { Authorization: `Bearer ${state.token}` } });
}

async function decide(id, decision, button) {
  const problem = document.getElementById("approval-error");
  problem.hidden = true;
  for (const b of button.parentElement.querySelectorAll("button[data-decision]")) b.disabled = true;
  try {
    const response = await api(`/api/v1/documents/${encodeURIComponent(id)}/${decision}`, { method: "POST" });
    const body = await response.json();
    if (!response.ok) {
      problem.textContent = (body.error && body.error.message) || `HTTP ${response.status}`;
      problem.hidden = false;
      for (const b of button.parentElement.querySelectorAll("button[data-decision]")) b.disabled = false;
      return;
    }
    // The socket brings the decided document too; this shows it at once.
    upsertDocument({ ...body, updated_at: (state.documents.get(id) || {}).updated_at });
    state.fresh.add(id);
    renderDocuments();
  } catch (error) {
    problem.textContent = String(error);
    problem.hidden = false;
  }
}

// --- AGVs and the map -------------------------------------------------------------------------------------

function agvState(agv) {
  if (!agv.connection) return "unknown";
  if (!agv.online) return "offline";
  if (agv.errors && agv.errors.length) return "error";
  if (agv.driving) return "driving";
  if (agv.charging && !agv.doc_id) return "charging";
  if (agv.doc_id) return "busy";
  return "idle";
}

function orderText(agv) {
  if (!agv.order && !agv.doc_id) return "";
  const order = agv.order;
  if (!order) return agv.doc_id;
  const legs = (order.lines || []).map((leg) => `${placeName(leg.from)} → ${placeName(leg.to)}`).join(", ");
  return `${order.transfer} · ${word(`ui-dashboard-order-${order.status}`)} · ${legs}`;
}

function drawMap() {
  const holder = document.getElementById("map");
  const map = state.map;
  if (!map) { holder.replaceChildren(el("p", { class: "empty", text: word("ui-dashboard-no-map") })); return; }
  const points = Object.values(map.nodes);
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  const scale = 18, margin = 26;
  const minX = Math.min(...xs), maxY = Math.max(...ys);
  const width = (Math.max(...xs) - minX) * scale + 2 * margin, height = (maxY - Math.min(...ys)) * scale + 2 * margin;
  // Map y grows up in the world file; screen y grows down.
  state.px = (x, y) => [margin + (x - minX) * scale, margin + (maxY - y) * scale];
  const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "site map" });
  for (const [a, b] of map.edges) {
    const [x1, y1] = state.px(...map.nodes[a]), [x2, y2] = state.px(...map.nodes[b]);
    picture.append(svg("line", { class: "aisle", x1, y1, x2, y2 }));
  }
  for (const place of map.places) {
    const [x, y] = state.px(...map.nodes[place.node]);
    picture.append(svg("rect", { class: `place ${place.kind === "rack" ? "rack" : ""}`, x: x - 12, y: y - 8, width: 24,
      height: 16, rx: 3, "data-location": place.code }));
    const label = svg("text", { class: "label", x, y: y - 11 });
    label.textContent = place.code;
    picture.append(label);
  }
  const vehicles = svg("g", { id: "map-agvs" });
  picture.append(vehicles);
  holder.replaceChildren(picture);
}

function placeAgvOnMap(agv) {
  const layer = document.getElementById("map-agvs");
  if (!layer || !state.px) return;
  let marker = layer.querySelector(`[data-serial="${agv.serial}"]`);
  if (agv.x === null || agv.x === undefined) { if (marker) marker.remove(); return; }
  if (!marker) {
    marker = svg("g", { class: "agv", "data-serial": agv.serial });
    const circle = svg("circle", { r: 10 });
    const label = svg("text", {});
    label.textContent = agv.serial.replace(/^\D+-?/, "");
    marker.append(circle, label);
    layer.append(marker);
  }
  const [x, y] = state.px(agv.x, agv.y);
  marker.setAttribute("transform", `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
  marker.setAttribute("data-x", String(agv.x));
  marker.setAttribute("data-y", String(agv.y));
  marker.setAttribute("class", `agv ${agvState(agv)}`);
}

function renderAgvs() {
  const rows = document.getElementById("agv-rows");
  const agvs = [...state.agvs.values()].sort((a, b) => a.serial.localeCompare(b.serial));
  rows.replaceChildren(...agvs.map((agv) => {
    const now = agvState(agv);
    return el("tr", { "data-serial": agv.serial, "data-state": now, "data-doc": agv.doc_id || "" },
      el("td", { class: "nowrap", text: agv.serial }),
      el("td", { text: word(`ui-dashboard-agv-${now}`) + (agv.errors && agv.errors.length ? `: ${agv.errors.join("; ")}` : "") }),
      el("td", { class: "battery", text: agv.battery == null ? "" : `${Math.round(agv.battery)}%${agv.charging ? " ⚡" : ""}` }),
      el("td", { class: "order", text: orderText(agv) }),
      el("td", { text: agv.last_node || "" }));
  }));
  if (!agvs.length) rows.append(el("tr", {}, el("td", { colSpan: 5, class: "empty", text: word("ui-dashboard-no-agvs") })));
  for (const agv of agvs) placeAgvOnMap(agv);
}

function newsText(message) {
  const event = message.event;
  if (en() ? message.text_en : message.text_zh) return en() ? message.text_en : message.text_zh;
  if (event.kind === "agv_offline") return word("ui-dashboard-agv-went-offline", { serial: event.serial || "" });
  if (event.kind === "agv_error") return word("ui-dashboard-agv-reports-error", { serial: event.serial || "", errors: (event.errors || []).join("; ") });
  return event.kind;
}

function renderNews() {
  const list = document.getElementById("news");
  list.replaceChildren(...state.news.map((message) => el("li", { "data-kind": message.event.kind, "data-doc": message.event.doc_id || "" },
    el("span", { class: "muted", text: `${when(message.event.at)} ` }), newsText(message))));
}

// --- stock below safety level, alerts ----------------------------------------------------------------------

function renderAlerts() {
  const low = document.getElementById("low-stock");
  low.replaceChildren(...state.lowStock.map((row) => el("li", { "data-item": row.item },
    `${en() ? row.item_name_en : row.item_name}: ${word("ui-dashboard-available")} ${qty(row.available, row.item)} < `
    + `${word("ui-dashboard-minimum")} ${qty(row.minimum, row.item)}`)));
  if (!state.lowStock.length) low.replaceChildren(el("li", { class: "empty", text: word("ui-dashboard-stock-ok") }));
  const list = document.getElementById("alert-list");
  const alerts = [...state.alerts.values()].filter((a) => a.status === "open").sort((a, b) => b.id - a.id);
  list.replaceChildren(...alerts.map((alert) => {
    const text = (en() ? alert.text_en : alert.text_zh).split("\n").slice(1)
      .map((line) => line.replace(/^[#>\s]+/, "").replaceAll("**", "")).filter(Boolean).join("\n");
    return el("article", { class: `alert ${state.fresh.has(`alert-${alert.id}`) ? "fresh" : ""}`, "data-alert": String(alert.id), "data-item": alert.item },
      el("strong", { text: `${alert.title.split(" / ")[en() ? 1 : 0] || alert.title} · ${when(alert.opened_at)}` }), text);
  }));
  if (!alerts.length) list.append(el("p", { class: "empty", text: word("ui-dashboard-no-alerts") }));
}

// --- partner push: the webhook delivery log -----------------------------------------------------------------

let deliveriesDue = null;

function deliveriesSoon() {  // after a document changed: its events reach the log within a moment; one fetch for many
  if (deliveriesDue) return;
  deliveriesDue = setTimeout(() => { deliveriesDue = null; loadDeliveries(); }, 1000);
}

async function loadDeliveries() {
  const response = await api("/api/v1/partner-deliveries?limit=50").catch(() => null);
  if (!response || !response.ok) return;  // refused or away: the section stays as it was
  state.deliveries = await response.json();
  renderDeliveries();
}

function renderDeliveries() {
  const section = document.getElementById("partners");
  const rows = document.getElementById("delivery-rows");
  section.hidden = false;
  rows.replaceChildren(...state.deliveries.map((d) => el("tr", { "data-delivery": String(d.id), "data-status": d.status },
    el("td", { text: when(d.delivered_at || d.created_at) }), el("td", {}, docLink(d.document)),
    el("td", { text: word(`ui-dashboard-event-${d.event_type}`) }), el("td", { text: d.partner }),
    el("td", { class: d.status === "delivered" ? "ok" : "muted",
      text: word(`ui-dashboard-delivery-${d.status}`) + (d.last_error && d.status !== "delivered" ? ` · ${d.last_error}` : "") }),
    el("td", { text: String(d.attempts) }))));
  if (!state.deliveries.length) rows.append(el("tr", {}, el("td", { colspan: "6", class: "empty", text: word("ui-dashboard-no-deliveries") })));
}

// --- the audit trail --------------------------------------------------------------------------------------

function mediaButton(turn) {
  if (!turn.media_path || !["audio", "image"].includes(turn.input_kind)) return null;
  const holder = el("span", { class: "media" });
  const button = el("button", { type: "button", class: "link", "data-media": turn.id,
    text: word(turn.input_kind === "audio" ? "ui-dashboard-play" : "ui-dashboard-photo") });
  button.addEventListener("click", async () => {
    button.disabled = true;
    const response = await api(`/api/v1/turns/${encodeURIComponent(turn.id)}/media`);
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      holder.replaceChildren(el("span", { class: "message error", text: (body.error && body.error.message) || `HTTP ${response.status}` }));
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    holder.replaceChildren(turn.input_kind === "audio" ? el("audio", { controls: true, src: url }) : el("img", { src: url, alt: turn.id }));
    if (turn.input_kind === "audio") holder.querySelector("audio").play().catch(() => {});
  });
  holder.append(button);
  return holder;
}

function inputCell(turn) {
  const cell = el("td", { class: "input" });
  cell.append(el("span", { class: "muted", text: `${word(`ui-dashboard-input-${turn.input_kind}`)} ` }));
  if (turn.input_kind === "audio") {
    cell.append(turn.transcript || turn.transcript_raw || "");
    if (turn.stt_confidence != null) cell.append(el("span", { class: "muted", text: ` (${turn.stt_confidence.toFixed(2)})` }));
    if (turn.transcript_raw && turn.transcript_raw !== turn.transcript) {
      cell.append(el("span", { class: "ocr", text: `${word("ui-dashboard-heard")}${turn.transcript_raw}` }));
    }
  } else if (turn.input_kind === "image") {
    if (turn.input_text) cell.append(turn.input_text);
    for (const line of turn.ocr_lines || []) {
      cell.append(el("span", { class: "ocr", text: `${line.corrected ? `${line.text} → ${line.corrected}` : line.text} (${line.confidence.toFixed(2)})` }));
    }
  } else {
    cell.append(turn.input_text || "");
  }
  const media = mediaButton(turn);
  if (media) cell.append(media);
  return cell;
}

function turnRow(turn, fresh) {
  const timings = Object.entries(turn.timings_ms || {}).map(([stage, ms]) => `${stage} ${Math.round(ms)}`).join(" · ");
  const ok = turn.result === "ok";
  return el("tr", { "data-turn": turn.id, "data-device": turn.device, class: fresh ? "fresh" : null },
    el("td", { class: "nowrap", text: when(turn.ts) }),
    el("td", { class: "nowrap", text: [turn.device, workerName(turn.worker)].filter(Boolean).join(" · ") }),
    el("td", { class: "nowrap", text: word(`ui-dashboard-channel-${turn.channel}`) }),
    inputCell(turn),
    el("td", { class: "intent", text: turn.intent ? `${turn.intent}${turn.intent_confidence != null ? ` ${turn.intent_confidence.toFixed(2)}` : ""}` : "" }),
    el("td", {}, ...(turn.documents || []).flatMap((id, i) => (i ? [" ", docLink(id)] : [docLink(id)]))),
    el("td", { class: "timings", text: timings }),
    el("td", {}, el("span", { class: `result ${ok ? "" : "bad"}`, text: ok ? word("ui-dashboard-ok") : turn.result === "refused" ? word("ui-dashboard-refused") : turn.result }),
      turn.reply ? el("span", { class: "ocr", text: turn.reply }) : null));
}

function renderTurns() {
  const rows = document.getElementById("turn-rows");
  rows.replaceChildren(...[...state.turns].reverse().map((turn) => turnRow(turn, state.fresh.has(turn.id))));
  if (!state.turns.length) rows.append(el("tr", {}, el("td", { colSpan: 8, class: "empty", text: word("ui-dashboard-no-turns") })));
}

function addTurn(turn) {
  if (state.turns.some((t) => t.id === turn.id)) return false;
  state.turns.push(turn);
  if (state.turns.length > KEEP_TURNS) state.turns.splice(0, state.turns.length - KEEP_TURNS);
  return true;
}

async function openDocument(id) {
  const panel = document.getElementById("document-detail");
  document.getElementById("detail-id").textContent = id;
  const doc = state.documents.get(id);
  const summary = document.getElementById("detail-summary");
  summary.replaceChildren();
  if (doc) {
    summary.append(el("p", {}, `${word(`ui-dashboard-type-${doc.type}`)} `, statusBadge(doc.status), ` ${lineText(doc)}`,
      el("span", { class: "muted", text: ` · ${doc.worker_name || workerName(doc.worker)} · ${doc.device || ""} · ${when(doc.created_at)}` })));
    if (doc.decided_by) summary.append(el("p", { text: `${word("ui-dashboard-decided-by")}${workerName(doc.decided_by)}` }));
  }
  const rows = document.getElementById("detail-turns");
  rows.replaceChildren();
  panel.hidden = false;
  const response = await api(`/api/v1/documents/${encodeURIComponent(id)}/turns`);
  const body = await response.json();
  if (!response.ok) {
    rows.append(el("tr", {}, el("td", { class: "message error", text: (body.error && body.error.message) || `HTTP ${response.status}` })));
    return;
  }
  rows.replaceChildren(...body.map((turn) => turnRow(turn, false)));
  if (!body.length) rows.append(el("tr", {}, el("td", { class: "empty", text: word("ui-dashboard-document-no-turns") })));
}

// --- the socket -------------------------------------------------------------------------------------------

function setStatus(kind) {
  const status = document.getElementById("status");
  status.className = kind;
  status.dataset.text = `ui-dashboard-${kind}`;
  status.textContent = word(status.dataset.text);
}

function renderAll() {
  renderDocuments();
  drawMap();
  renderAgvs();
  renderNews();
  renderAlerts();
  renderTurns();
  if (state.deliveries) renderDeliveries();
}

function onSnapshot(snap) {
  if (!state.chosen && snap.language !== state.lang) setLanguage(snap.language === "en" ? "en" : "zh");
  state.site = snap.site;
  state.names = snap.names;
  state.mayApprove = snap.may_approve;
  state.map = snap.map;
  document.getElementById("site").textContent = `${snap.site} ${en() ? snap.site_name_en : snap.site_name}`;
  document.getElementById("site").dataset.zh = snap.site_name;
  document.getElementById("site").dataset.en = snap.site_name_en;
  document.getElementById("who").textContent = `${snap.worker_name} · ${snap.device}`;
  state.documents = new Map();
  for (const doc of snap.documents) upsertDocument(doc);
  state.agvs = new Map(snap.agvs.map((a) => [a.serial, a]));
  state.lowStock = snap.low_stock;
  state.alerts = new Map(snap.alerts.map((a) => [a.id, a]));
  state.turns = [];
  for (const turn of snap.turns) addTurn(turn);
  document.getElementById("board").hidden = false;
  renderAll();
  loadDeliveries();
}

function flash(key) {
  state.fresh.add(key);
  setTimeout(() => state.fresh.delete(key), 2500);
}

function onMessage(message) {
  if (message.error) {  // refused: say why, in words, and stop
    state.refused = true;
    const refusal = document.getElementById("refusal");
    refusal.textContent = message.error.message;
    refusal.dataset.code = message.error.code;
    refusal.hidden = false;
    document.getElementById("board").hidden = true;
    setStatus("reconnecting");
    document.getElementById("status").hidden = true;
    return;
  }
  switch (message.type) {
    case "snapshot": onSnapshot(message); break;
    case "document":
      if (upsertDocument(message.document)) { flash(message.document.id); renderDocuments(); }
      deliveriesSoon();
      break;
    case "turn":
      if (addTurn(message.turn)) { flash(message.turn.id); renderTurns(); }
      break;
    case "agv":
      state.agvs.set(message.agv.serial, message.agv);
      renderAgvs();
      break;
    case "agv_event":
      state.news.unshift(message);
      state.news.splice(KEEP_NEWS);
      renderNews();
      break;
    case "stock":
      state.lowStock = message.low_stock;
      renderAlerts();
      break;
    case "alert":
      state.alerts.set(message.alert.id, message.alert);
      flash(`alert-${message.alert.id}`);
      renderAlerts();
      break;
    default:
      break;  // a newer server's message: ignored
  }
}

function connect() {
  if (!state.token || state.refused) return;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/dashboard?token=${encodeURIComponent(state.token)}`);
  state.socket = socket;
  socket.addEventListener("open", () => { state.retry = 0; setStatus("live"); });
  socket.addEventListener("message", (event) => {
    try {
      onMessage(JSON.parse(event.data));
    } catch (error) {
      console.error(error);
    }
  });
  socket.addEventListener("close", (event) => {
    if (state.socket !== socket) return;
    if (state.refused || event.code === 1008) return;
    setStatus("reconnecting");
    state.retry = Math.min(state.retry + 1, 6);
    setTimeout(connect, 500 * 2 ** (state.retry - 1));
  });
}

// --- start ------------------------------------------------------------------------------------------------

function setLanguage(lang) {
  state.lang = lang;
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  for (const node of document.querySelectorAll("[data-text]")) if (WORDS[node.dataset.text]) node.textContent = word(node.dataset.text);
  const site = document.getElementById("site");
  if (state.site) site.textContent = `${state.site} ${en() ? site.dataset.en : site.dataset.zh}`;
  if (state.site) renderAll();
}

function takeToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("token")) {
    sessionStorage.setItem("frontline-dashboard-token", fragment.get("token"));
    history.replaceState(null, "", location.pathname);  // keep the token out of the address bar
  }
  state.token = sessionStorage.getItem("frontline-dashboard-token");
}

async function start() {
  await loadWords();
  takeToken();
  setLanguage("zh");  // Mandarin first; the worker's own language once the site is known; the button switches
  document.getElementById("language").addEventListener("click", () => { state.chosen = true; setLanguage(en() ? "zh" : "en"); });
  document.getElementById("status-filter").addEventListener("change", renderDocuments);
  document.getElementById("detail-close").addEventListener("click", () => { document.getElementById("document-detail").hidden = true; });
  document.getElementById("document-detail").addEventListener("click", (event) => {
    if (event.target.id === "document-detail") event.target.hidden = true;
  });
  if (!state.token) {
    const refusal = document.getElementById("refusal");
    refusal.textContent = word("ui-no-token");
    refusal.hidden = false;
    document.getElementById("status").hidden = true;
    return;
  }
  connect();
}

start();
