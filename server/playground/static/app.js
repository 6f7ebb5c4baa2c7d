// modelrouter playground: a chat view that shows why the router picked a
// model, and a dashboard over the decision log. Plain browser JavaScript,
// no build step and no third-party code; every value from the server is
// written with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#2f6fdf", "#e07b24", "#2a9d6f", "#c4384d", "#7a55c7", "#8c6d3f", "#d46bb5", "#5f6b7a", "#b4a000", "#17a2b8"];

let deployments = [];
// history holds the conversation's earlier turns: {role, content, model}.
let history = [];
// conversation counts the conversations begun: an answer that comes after
// "New conversation" belongs to the one it was asked in, not the new one.
let conversation = 0;

// --- shared ---------------------------------------------------------------

function headers(json) {
  const h = {};
  if (json) h["Content-Type"] = "application/json";
  const key = $("api-key").value.trim();
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

// errorText turns an OpenAI-shaped error body into one readable line.
function errorText(status, body) {
  const e = body && body.error;
  if (!e) return "HTTP " + status;
  return e.message + (e.code ? " (" + e.code + ", HTTP " + status + ")" : " (HTTP " + status + ")");
}

async function getJSON(url, signal) {
  const resp = await fetch(url, { headers: headers(false), signal });
  const body = await resp.json().catch(() => null);
  if (!resp.ok) {
    const err = new Error(errorText(resp.status, body));
    err.status = resp.status;
    throw err;
  }
  return body;
}

function setStatus(el, text, isError) {
  el.textContent = text;
  el.classList.toggle("error", !!isError);
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function fmtUSD(v, digits) {
  if (typeof v !== "number") return "-";
  const s = money(v, digits === undefined ? 6 : digits);
  // A negative amount (routing that cost more than a counterfactual would
  // have) is written as money is, "-$0.03", not "$-0.03".
  return s.startsWith("-") ? "-$" + s.slice(1) : "$" + s;
}

// money writes a USD amount with at least digits decimals, and as many
// more as two significant digits need: a cheap model's call costs
// hundredths of a cent, which four decimals would show as nothing. Below a
// billionth of a dollar it is the rounding of a sum (savings that are
// none), not money.
function money(v, digits) {
  const a = Math.abs(v);
  if (a >= 1e-9) digits = Math.max(digits, 1 - Math.floor(Math.log10(a)));
  return (a >= 1e-9 ? v : 0).toFixed(digits);
}

// colorOf gives each charted model a colour of its own: the palette's,
// then hues a golden angle apart. A deployment may route among more models
// than the palette has (the default one has 18); reusing its colours would
// draw two models as one. A model keeps its colour while the page is open
// (colourIndex, in the order models are first charted): numbered by its
// place among the models of each range or deployment picked, it would
// change colour as the user switches between them.
const colourIndex = new Map();

function colorOf(model) {
  if (!colourIndex.has(model)) colourIndex.set(model, colourIndex.size);
  const i = colourIndex.get(model);
  if (i < PALETTE.length) return PALETTE[i];
  return "hsl(" + ((i * 137.508) % 360).toFixed(1) + ", 55%, " + (i % 2 ? 38 : 58) + "%)";
}

// --- tabs -----------------------------------------------------------------

function show(view) {
  for (const tab of document.querySelectorAll(".tab")) {
    tab.classList.toggle("active", tab.dataset.view === view);
  }
  $("view-chat").hidden = view !== "chat";
  $("view-dashboard").hidden = view !== "dashboard";
  if (view === "dashboard") refreshDashboard();
}

// --- chat -----------------------------------------------------------------

async function loadModels() {
  const status = $("chat-status");
  try {
    const list = await getJSON("/v1/models");
    deployments = (list.data || []).filter((m) => m.kind === "deployment");
    if (deployments.length === 0) {
      // Older servers list only ids; offer them as deployments.
      deployments = (list.data || []).map((m) => ({ id: m.id, models: [] }));
    }
    // The list is read again whenever the key changes: the deployment and
    // models picked stay picked where the new list still has them.
    const sel = $("deployment");
    const chosen = sel.value;
    const ticked = [...$("subset-models").querySelectorAll("input:checked")].map((cb) => cb.value);
    sel.replaceChildren();
    for (const d of deployments) {
      const o = el("option", d.id + (d.mode ? " (" + d.mode + ")" : ""));
      o.value = d.id;
      sel.appendChild(o);
    }
    const kept = deployments.some((d) => d.id === chosen);
    if (kept) sel.value = chosen;
    offerDashDeployments(deployments.map((d) => d.id));
    renderSubset(kept ? ticked : []);
    setStatus(status, "");
  } catch (err) {
    setStatus(status, "Could not list deployments: " + err.message, true);
  }
}

// renderSubset offers the chosen deployment's models, those in ticked ticked.
function renderSubset(ticked = []) {
  const box = $("subset-models");
  box.replaceChildren();
  const d = deployments.find((x) => x.id === $("deployment").value);
  for (const id of (d && d.models) || []) {
    const label = el("label", "", "inline");
    const cb = document.createElement("input");
    cb.type = "checkbox";
    cb.value = id;
    cb.checked = ticked.includes(id);
    label.append(cb, document.createTextNode(id));
    box.appendChild(label);
  }
}

function requestBody(stream) {
  const earlier = $("keep").checked ? history.map((m) => ({ role: m.role, content: m.content })) : [];
  const body = {
    model: $("deployment").value,
    messages: [...earlier, { role: "user", content: $("prompt").value }],
  };
  const rc = {};
  if ($("mode").value) rc.mode = $("mode").value;
  if ($("affinity-on").checked) rc.session_affinity = true;
  const models = [...$("subset-models").querySelectorAll("input:checked")].map((cb) => cb.value);
  if (models.length) rc.models = models;
  if (Object.keys(rc).length) body.routing_config = rc;
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

async function send(ev) {
  ev.preventDefault();
  const status = $("chat-status");
  if (!$("prompt").value.trim()) {
    setStatus(status, "Type a prompt first.", true);
    return;
  }
  // The box stays editable while the answer comes: the turn to remember
  // is the prompt sent now, not whatever the box holds by then.
  const prompt = $("prompt").value;
  const askedIn = conversation;
  const stream = $("stream").checked;
  busy(true);
  setStatus(status, "Routing...");
  resetResult();
  const started = performance.now();
  try {
    const resp = await fetch("/v1/chat/completions", {
      method: "POST", headers: headers(true), body: JSON.stringify(requestBody(stream)),
    });
    const requestID = resp.headers.get("x-request-id") || "-";
    if (!resp.ok) {
      const body = await resp.json().catch(() => null);
      showError(resp.status, body, requestID);
      return;
    }
    const ctype = resp.headers.get("content-type") || "";
    let out;
    if (ctype.includes("text/event-stream")) {
      out = await readStream(resp, requestID);
    } else {
      const body = await resp.json();
      const msg = (body.choices && body.choices[0] && body.choices[0].message) || {};
      out = { text: msg.content || "", refusal: msg.refusal || "", model: body.model, details: body.model_selection_details };
      showAnswer(out);
    }
    renderDetails(out.details, out.model, requestID);
    $("total-time").textContent = Math.round(performance.now() - started) + " ms";
    if (!out.error && askedIn === conversation) {
      remember(prompt, answerText(out), (out.details && out.details.answered_model) || out.model, !!out.refusal);
    }
    setStatus(status, out.error ? "Stream ended with an error: " + out.error
      : out.refusal ? "Done: the model refused to answer." : "Done.", !!out.error);
  } catch (err) {
    setStatus(status, "Request failed: " + err.message, true);
  } finally {
    busy(false);
  }
}

// readStream reads Chat Completions server-sent events, appending the
// answer as it arrives and keeping model_selection_details from any chunk.
// A connection that drops mid-answer ends it with an error, not a thrown
// one: the decision, known from the first event, is still shown.
async function readStream(resp, requestID) {
  const reader = resp.body.getReader();
  const decoder = new TextDecoder();
  const out = { text: "", refusal: "", model: resp.headers.get("x-modelrouter-model") || "", details: null, error: "" };
  let buf = "";
  $("result").hidden = false;
  for (;;) {
    let value, done;
    try {
      ({ value, done } = await reader.read());
    } catch (err) {
      out.error = "the connection dropped before the answer ended (" + err.message + ")";
      break;
    }
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line.startsWith("data:")) continue;
      const data = line.slice(5).trim();
      if (data === "[DONE]") continue;
      let chunk;
      try { chunk = JSON.parse(data); } catch (e) { continue; }
      if (chunk.error) out.error = chunk.error.message || "upstream error";
      if (chunk.model) out.model = chunk.model;
      if (chunk.model_selection_details) {
        out.details = chunk.model_selection_details;
        renderDetails(out.details, out.model, requestID);
      }
      const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
      if (delta && (delta.content || delta.refusal)) {
        out.text += delta.content || "";
        out.refusal += delta.refusal || "";
        showAnswer(out);
      }
    }
  }
  return out;
}

// answerText is the answer as shown: a model that declines sends its
// words as a refusal instead of content.
function answerText(out) {
  return out.refusal ? (out.text ? out.text + "\n" : "") + out.refusal : out.text;
}

// showAnswer writes the answer so far, a refusal marked as one: shown as an
// empty answer it would read as the model having nothing to say.
function showAnswer(out) {
  $("answer").textContent = answerText(out);
  $("answer").classList.toggle("refusal", !!out.refusal);
}

async function decideOnly() {
  const status = $("chat-status");
  if (!$("prompt").value.trim()) {
    setStatus(status, "Type a prompt first.", true);
    return;
  }
  busy(true);
  resetResult();
  setStatus(status, "Deciding...");
  try {
    const resp = await fetch("/v1/route", { method: "POST", headers: headers(true), body: JSON.stringify(requestBody(false)) });
    const body = await resp.json().catch(() => null);
    const requestID = resp.headers.get("x-request-id") || (body && body.request_id) || "-";
    if (!resp.ok) {
      showError(resp.status, body, requestID);
      return;
    }
    $("answer").textContent = "(decision only: nothing was forwarded) " + (body.reason || "");
    renderDetails({
      mode: body.mode, chosen_model: body.chosen_model, answered_model: "", candidates: body.candidates,
      fallbacks_tried: [], session_affinity: body.session_affinity, router_latency_ms: body.router_latency_ms,
    }, "", requestID);
    // With no provider configured the server still decides, and its note
    // says no model can be sent the request and what to set: without it
    // the decision reads as if Send would work.
    if (body.forwardable === false) {
      setStatus(status, "Decided, but it cannot be sent: " + (body.note || "no model has a configured provider"), true);
    } else {
      setStatus(status, "Decided.");
    }
  } catch (err) {
    setStatus(status, "Request failed: " + err.message, true);
  } finally {
    busy(false);
  }
}

// remember adds a finished turn to the conversation. The transcript shows
// every message but the latest answer, which stands in the answer box.
function remember(prompt, answer, model, refused) {
  history.push({ role: "user", content: prompt }, { role: "assistant", content: answer, model: model, refused: refused });
  // A prompt typed meanwhile is the next question's draft: keep it.
  if ($("prompt").value === prompt) $("prompt").value = "";
  showTranscript(history.slice(0, -1));
}

// showTranscript lists the messages shown above the prompt. While a new
// turn is asked, and after one that failed or only decided, that is the
// whole conversation: the answer box no longer holds its latest answer,
// which would otherwise vanish from the page though the next prompt
// still carries it.
function showTranscript(shown) {
  const list = $("transcript");
  list.replaceChildren();
  for (const m of shown) {
    const li = el("li", "", m.role + (m.refused ? " refusal" : ""));
    li.append(el("span", m.role === "user" ? "you" : m.model || "assistant", "who"), document.createTextNode(m.content));
    list.appendChild(li);
  }
  list.hidden = shown.length === 0;
}

function newConversation() {
  conversation++;
  history = [];
  resetResult();
  setStatus($("chat-status"), "");
}

function busy(on) {
  $("send").disabled = on;
  $("decide").disabled = on;
}

function resetResult() {
  showTranscript(history);
  $("result").hidden = true;
  $("answer").hidden = false;
  $("answer").textContent = "";
  $("answer").classList.remove("refusal");
  for (const id of ["answered-model", "chosen-model", "result-mode", "router-latency", "total-time", "fallbacks", "affinity", "request-id"]) {
    $(id).textContent = "-";
  }
  $("candidates").tBodies[0].replaceChildren();
}

function showError(status, body, requestID) {
  // The request id goes with the error, where the user reads it: it is
  // what finds the call in the decision log, and the facts that list it
  // are not shown for a call that failed.
  setStatus($("chat-status"), errorText(status, body) + (requestID !== "-" ? " Request id " + requestID + "." : ""), true);
  $("request-id").textContent = requestID;
  // A "no eligible model" error says why each candidate was excluded.
  const cands = body && body.error && body.error.candidates;
  if (Array.isArray(cands) && cands.length) {
    $("result").hidden = false;
    // There is no answer: an empty box would read as an empty one.
    $("answer").hidden = true;
    renderCandidates(cands.map((c) => ({ model: c.model, reason: c.reason, rank: 0 })), "");
  }
}

function renderDetails(d, model, requestID) {
  $("result").hidden = false;
  $("request-id").textContent = requestID;
  if (!d) {
    $("answered-model").textContent = model || "-";
    return;
  }
  $("answered-model").textContent = d.answered_model || model || "-";
  $("chosen-model").textContent = d.chosen_model || "-";
  $("result-mode").textContent = d.mode || "-";
  $("router-latency").textContent = typeof d.router_latency_ms === "number" ? d.router_latency_ms.toFixed(2) + " ms" : "-";
  const tried = d.fallbacks_tried || [];
  $("fallbacks").textContent = tried.length
    ? tried.map((f) => f.model + (f.status ? " (" + f.status + ")" : "")).join(", ") : "none";
  $("affinity").textContent = d.session_affinity ? "yes" : "no";
  renderCandidates(d.candidates || [], d.chosen_model);
}

function renderCandidates(cands, chosen) {
  const tbody = $("candidates").tBodies[0];
  tbody.replaceChildren();
  // Ranked candidates first in failover order, excluded ones after.
  const sorted = [...cands].sort((a, b) => (a.rank || 1e9) - (b.rank || 1e9) || a.model.localeCompare(b.model));
  for (const c of sorted) {
    const tr = document.createElement("tr");
    tr.dataset.model = c.model;
    if (c.model === chosen && c.rank === 1) tr.className = "chosen";
    else if (!c.rank) tr.className = "excluded";
    tr.append(
      el("td", c.rank ? String(c.rank) : "-", "num"),
      el("td", c.model, "id"),
      el("td", c.profile || "", "id"),
      el("td", c.rank ? Number(c.predicted_quality).toFixed(3) : "-", "num"),
      el("td", c.rank ? fmtUSD(c.expected_cost_usd) : "-", "num"),
      el("td", c.reason || ""),
    );
    tbody.appendChild(tr);
  }
}

// --- dashboard --------------------------------------------------------------

// dashDeployments are the names the dashboard's filter offers: the model
// list's and the report's. Where keys are required the model list takes a
// client key, and the admin key the reports need is none, so with the admin
// key alone the report's deployments are the only ones the page learns.
const dashDeployments = new Set();

function offerDashDeployments(names) {
  const before = dashDeployments.size;
  for (const n of names) if (n) dashDeployments.add(n);
  if (dashDeployments.size === before) return;
  const sel = $("dash-deployment");
  const chosen = sel.value;
  sel.replaceChildren(sel.options[0]);
  for (const n of [...dashDeployments].sort()) {
    const o = el("option", n);
    o.value = n;
    sel.appendChild(o);
  }
  sel.value = chosen;
}

const BUCKETS = { "24h": "1h", "7d": "6h", "30d": "1d" };
const BUCKET_MS = { "1h": 3600e3, "6h": 6 * 3600e3, "1d": 86400e3 };

// dashLoad is the dashboard's latest load. A newer one (another range or
// deployment) aborts it, and only the latest draws: an earlier choice's
// answer, slower over a large log, must not arrive last and draw over it.
let dashLoad = null;
// dashLoadOf is what dashLoad asks for (key and query), while it loads.
// Asking for the same again meanwhile (leaving the Key field by clicking
// Refresh asks twice) waits for it rather than sending the key twice.
let dashLoadOf = "";

// The gateway counts each wrong admin key against the address that sent
// it, and 10 in a minute lock the address out of the reports and the
// management API for the rest of that minute. So a key the reports refused
// (401) is not sent to them again until the Key field changes, not by
// Refresh, another range or a reload of the page (hence session storage);
// and a key they have not accepted yet is tried with one call before the
// other, so that a wrong one counts once per load, not twice.
const REFUSED_KEY = "modelrouter.refusedKey";
const REFUSED_TEXT = "The reports refused this key (HTTP 401): put the admin key in the Key field. " +
  "It is not sent again until you change it, as 10 wrong admin keys in a minute lock this address out.";
const NO_KEY_TEXT = "The dashboard needs an admin key (HTTP 401): put it in the Key field.";
let acceptedKey = null;

async function refreshDashboard() {
  const status = $("dash-status");
  const key = $("api-key").value.trim();
  const range = $("range").value;
  const bucket = BUCKETS[range];
  const dep = $("dash-deployment").value;
  const q = "since=" + encodeURIComponent(range) + (dep ? "&deployment=" + encodeURIComponent(dep) : "");
  if (dashLoad && dashLoadOf === key + "\n" + q) return;
  if (dashLoad) dashLoad.abort();
  dashLoad = null;
  if (key && key === sessionStorage.getItem(REFUSED_KEY)) {
    clearDashboard();
    setStatus(status, REFUSED_TEXT, true);
    return;
  }
  const load = (dashLoad = new AbortController());
  dashLoadOf = key + "\n" + q;
  setStatus(status, "Loading...");
  try {
    const timelineURL = "/v1/router/timeline?" + q + "&bucket=" + bucket, reportURL = "/v1/router/report?" + q;
    const [timeline, report] = key === acceptedKey
      ? await Promise.all([getJSON(timelineURL, load.signal), getJSON(reportURL, load.signal)])
      : [await getJSON(timelineURL, load.signal), await getJSON(reportURL, load.signal)];
    if (load !== dashLoad) return;
    acceptedKey = key;
    const models = [...new Set(timeline.points.map((p) => p.model))].sort();
    // Models first charted now take colours in name order.
    models.forEach(colorOf);
    const steps = timeSteps(timeline, BUCKET_MS[bucket]);
    drawStacked($("chart-distribution"), steps, models, "requests", true);
    drawStacked($("chart-cost"), steps, models, "cost_usd", false);
    drawLegend(models);
    renderReport(report);
    // The charts show only requests sent to a model; the table also counts
    // dry runs and refused calls, so an empty chart need not mean no traffic.
    const logged = (report.total && report.total.requests) || 0;
    setStatus(status, timeline.points.length ? "" : logged
      ? "Nothing was sent to a model in this range: only dry runs or refused calls (see the table)."
      : "No decisions in this range yet.");
  } catch (err) {
    if (load !== dashLoad) return;
    clearDashboard();
    if (err.status === 401 && key) {
      sessionStorage.setItem(REFUSED_KEY, key);
      setStatus(status, REFUSED_TEXT, true);
      return;
    }
    // A 401 without a key: the reports' own message says they need an
    // admin key and how to send it as a header; the page says it once,
    // with where a dashboard user puts the key. Any other failure (a 500,
    // the network) is not about the key and says nothing of one.
    if (err.status === 401) {
      setStatus(status, NO_KEY_TEXT, true);
      return;
    }
    setStatus(status, "Could not load the dashboard: " + err.message, true);
  } finally {
    if (load === dashLoad) dashLoad = null;
  }
}

// clearDashboard empties the figures when a load fails: those of an
// earlier load (another key, range or deployment) shown beside the error
// would read as the answer to what is picked now.
function clearDashboard() {
  for (const id of ["card-requests", "card-cost", "card-save-strongest", "card-save-best"]) $(id).textContent = "-";
  for (const id of ["chart-distribution", "chart-cost", "legend"]) $(id).replaceChildren();
  $("report-table").tBodies[0].replaceChildren();
  $("report-method").textContent = "";
}

// timeSteps lays the points on every step of the range, empty steps
// included, so gaps in traffic show as gaps. Steps are aligned as the
// server aligns them, except the first, which starts at since as its
// points do.
function timeSteps(timeline, width) {
  const since = Date.parse(timeline.since);
  const end = Date.parse(timeline.until);
  const steps = new Map();
  for (let t = Math.floor(since / width) * width; t < end && steps.size < 2000; t += width) {
    const s = Math.max(t, since);
    steps.set(s, { t: s, byModel: {} });
  }
  for (const p of timeline.points) {
    const t = Date.parse(p.start);
    if (!steps.has(t)) steps.set(t, { t, byModel: {} });
    steps.get(t).byModel[p.model] = p;
  }
  return [...steps.values()].sort((a, b) => a.t - b.t);
}

function svgEl(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// drawStacked draws one bar per time step, stacked by model: shares of
// requests (share=true) or absolute values of field.
function drawStacked(svg, steps, models, field, share) {
  svg.replaceChildren();
  const W = 800, H = 240, left = 76, right = 36, top = 10, bottom = 28;
  const plotW = W - left - right, plotH = H - top - bottom;
  let maxV = 0;
  for (const s of steps) {
    const total = models.reduce((a, m) => a + ((s.byModel[m] && s.byModel[m][field]) || 0), 0);
    s.total = total;
    maxV = Math.max(maxV, total);
  }
  const scale = share ? 1 : (maxV || 1);
  // The cost axis writes every label with the decimals its step needs: a
  // few cheap calls make steps of millionths of a dollar, which
  // toPrecision would write as "$5.9e-7".
  const axisDigits = Math.max(0, 1 - Math.floor(Math.log10(scale / 4)));
  // Axis and grid.
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    svg.appendChild(svgEl("line", { x1: left, x2: W - right, y1: y, y2: y, class: "axis" }));
    const v = (scale * i) / 4;
    const label = share ? Math.round(v * 100) + "%" : (field === "cost_usd" ? fmtUSD(v, axisDigits) : String(Math.round(v)));
    svg.appendChild(svgEl("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, label));
  }
  if (steps.length === 0) return;
  const bw = plotW / steps.length;
  const every = Math.max(1, Math.ceil(steps.length / 8));
  steps.forEach((s, i) => {
    const x = left + i * bw;
    let y = top + plotH;
    for (const m of models) {
      const v = (s.byModel[m] && s.byModel[m][field]) || 0;
      if (!v) continue;
      const frac = share ? v / (s.total || 1) : v / scale;
      const h = frac * plotH;
      y -= h;
      const r = svgEl("rect", { x: x + bw * 0.1, y, width: Math.max(bw * 0.8, 1), height: h, fill: colorOf(m), "data-model": m });
      const what = share ? (100 * frac).toFixed(1) + "% (" + v + " requests)" : fmtUSD(v);
      r.appendChild(svgEl("title", {}, new Date(s.t).toISOString().slice(0, 16).replace("T", " ") + " UTC, " + m + ": " + what));
      svg.appendChild(r);
    }
    if (i % every === 0) {
      const d = new Date(s.t).toISOString();
      svg.appendChild(svgEl("text", { x: x + bw / 2, y: H - 10, "text-anchor": "middle" }, d.slice(5, 10) + " " + d.slice(11, 16)));
    }
  });
}

function drawLegend(models) {
  const box = $("legend");
  box.replaceChildren();
  for (const m of models) {
    const s = el("span", m);
    s.style.setProperty("--swatch", colorOf(m));
    box.appendChild(s);
  }
}

function renderReport(rep) {
  const t = rep.total || {};
  $("card-requests").textContent = String(t.requests || 0);
  $("card-cost").textContent = fmtUSD(t.cost_usd || 0, 4);
  const pct = (saved, base) => (base > 0 ? " (" + ((100 * saved) / base).toFixed(1) + "%)" : "");
  $("card-save-strongest").textContent = fmtUSD(t.savings_vs_strongest_usd || 0, 4) + pct(t.savings_vs_strongest_usd, t.strongest_expected_cost_usd);
  $("card-save-best").textContent = fmtUSD(t.savings_vs_best_single_usd || 0, 4) + pct(t.savings_vs_best_single_usd, t.best_single_expected_cost_usd);
  const tbody = $("report-table").tBodies[0];
  tbody.replaceChildren();
  for (const r of rep.rows || []) {
    const tr = document.createElement("tr");
    tr.append(
      el("td", r.deployment, "id"), el("td", r.model, "id"), el("td", String(r.requests), "num"), el("td", String(r.errors), "num"),
      el("td", String(r.failovers || 0), "num"), el("td", money(r.cost_usd || 0, 4), "num"),
      el("td", money(r.savings_vs_strongest_usd || 0, 4), "num"), el("td", money(r.savings_vs_best_single_usd || 0, 4), "num"),
    );
    tbody.appendChild(tr);
  }
  $("report-method").textContent = rep.method || "";
  offerDashDeployments((rep.deployments || []).map((d) => d.deployment));
}

// --- start ------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  const saved = sessionStorage.getItem("modelrouter.key");
  if (saved) $("api-key").value = saved;
  $("api-key").addEventListener("change", () => {
    sessionStorage.setItem("modelrouter.key", $("api-key").value.trim());
    sessionStorage.removeItem(REFUSED_KEY);
    loadModels();
    // The dashboard shown reads the reports with the new key at once.
    if (!$("view-dashboard").hidden) refreshDashboard();
  });
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => show(tab.dataset.view));
  $("deployment").addEventListener("change", () => renderSubset());
  $("chat-form").addEventListener("submit", send);
  $("decide").addEventListener("click", decideOnly);
  $("new-chat").addEventListener("click", newConversation);
  $("refresh").addEventListener("click", refreshDashboard);
  $("range").addEventListener("change", refreshDashboard);
  $("dash-deployment").addEventListener("change", refreshDashboard);
  if (location.hash === "#dashboard") show("dashboard");
  loadModels();
});
