// pxelab live dashboard.
//
// Follows GET /api/v1/stream (server-sent events, read with fetch so that it can carry the admin
// token) and keeps a table of the fleet up to date: a `snapshot` message replaces the fleet, a
// `device` message updates one device. DOM updates are batched per animation frame; rows are
// updated in place. `#/devices/NAME` shows one device: its timeline, events, screen and actions.
// The names and colours of phases and outcomes are the lab's vocabulary, defined once in Swift and
// read from /dashboard/vocabulary.json and /dashboard/vocabulary.css: none are written here.
"use strict";

// Options each flow is started with.
const FLOW_OPTIONS = { reset: { remote: "true" }, repurpose: { wipe: "full" }, recover: { method: "autopilot-reset" }, retire: {} };
const TOKEN_KEY = "pxelab.token";

const $ = (selector, root = document) => root.querySelector(selector);
const field = (name, root = document) => root.querySelector(`[data-field="${name}"]`);

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  lab: null,
  devices: new Map(),     // name -> latest Device
  rows: new Map(),        // name -> { tr, cells, shown: { field -> displayed text }, trail: [phases not yet shown] }
  dirty: new Set(),       // devices whose rows need rendering
  scheduled: false,
  stream: null,           // AbortController of the open stream
  page: null,             // the open device page: { name, events, keys, loading, buffered, screen... }
  flows: new Map(),       // device -> { flow, text, kind } of its last or running flow
};

// The lab's vocabulary, as /dashboard/vocabulary.json has it (empty until it has been read).
const vocabulary = {
  phases: [],             // every OOBE phase, in the order a device goes through them, `lifecycle` last
  deployment: [],         // the phases of a deployment: all but `lifecycle` (reset, repurpose, retire)
  outcomes: [],           // outcome names, in the order the header counts them
  labels: new Map(),      // outcome -> what people read ("provisioning" -> "in progress")
  failures: new Set(),    // outcomes that are failures
  summarised: new Set(),  // outcomes a fleet's counts show even when no device has them
  reading: null,          // the read under way or done; null again after a failed one
};

// ---- Formatting ---------------------------------------------------------------------------------

/** An error code as 0x%08X: events carry a UInt32, devices and flows may carry the text already. */
const hexCode = (code) => typeof code === "number" ? "0x" + (code >>> 0).toString(16).toUpperCase().padStart(8, "0") : code || "";
/** A device's outcome: a server without the field (there should be none) reads as `unknown`. */
const outcomeOf = (d) => d.outcome || "unknown";
/** What people read for an outcome; its name until the vocabulary has been read. */
const outcomeLabel = (outcome) => vocabulary.labels.get(outcome) || outcome || "unknown";
/** A device's result: its outcome, and the error code it shows (only a failed device has one). */
const resultText = (d) => outcomeLabel(outcomeOf(d)) + (d.errorCode ? " " + hexCode(d.errorCode) : "");
/** How far a device got: the index of its phase among the deployment phases; 100 % once business-ready. */
function progressOf(d) {
  if (outcomeOf(d) === "business-ready") return 100;
  const phases = vocabulary.deployment;
  const index = phases.indexOf(d.phase);
  return index < 0 ? 0 : Math.round(((index + 1) / phases.length) * 100);
}
/** Where a phase comes in the vocabulary's order; a phase it does not know, after all it knows. */
function phaseRank(phase) {
  const index = vocabulary.phases.indexOf(phase);
  return index < 0 ? vocabulary.phases.length : index;
}
/** Text for innerHTML. */
const escapeHTML = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** A time of day with milliseconds, in the browser's time zone. */
const clock = (iso) => iso ? new Date(iso).toLocaleTimeString([],
  { hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3, hour12: false }) : "";
function duration(ms) {
  const s = ms / 1000;
  if (s < 10) return s.toFixed(1) + " s";
  if (s < 120) return Math.round(s) + " s";
  return Math.floor(s / 60) + " min " + Math.round(s % 60) + " s";
}
function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- Token and API ------------------------------------------------------------------------------

/** Takes `token=...` out of the URL's fragment (`#token=abc`, `#/devices/x&token=abc`) into sessionStorage. */
function takeTokenFromHash() {
  const match = location.hash.match(/[#&?]token=([^&]*)/);
  if (!match) return;
  state.token = decodeURIComponent(match[1]);
  sessionStorage.setItem(TOKEN_KEY, state.token);
  let rest = location.hash.replace(match[0], match[0][0] === "&" ? "" : match[0][0]).replace(/^#[&?]/, "#");
  if (rest === "#" || rest === "#/") rest = "";
  history.replaceState(null, "", location.pathname + location.search + rest);
}

/** The token was missing or refused: forget it, stop following the lab, and ask for one. */
function needToken(message = "") {
  state.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  if (state.stream) state.stream.abort();
  state.stream = null;
  closeDevice();
  setConnection("offline", "not connected");
  field("login-error").textContent = message;
  $("#login").hidden = false;
  $("#fleet").hidden = $("#device").hidden = true;
  $(".filter").hidden = true;
  $("#token-input").focus();
}

class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

/** fetch with the admin token; a non-2xx answer throws an ApiError with the server's message. */
async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...options.headers, Authorization: `Bearer ${state.token}` } });
  if (response.ok) return response;
  let message = `HTTP ${response.status}`;
  try { message = (await response.json()).error.message || message; } catch { /* not a JSON error */ }
  if (response.status === 401) needToken("The token was refused: " + message);
  throw new ApiError(message, response.status);
}
const devicePath = (name, rest) => `/api/v1/devices/${encodeURIComponent(name)}/${rest}`;

// ---- Vocabulary ---------------------------------------------------------------------------------

/** Reads the vocabulary (no token: it is public, like the page); once read, it is not read again. */
function loadVocabulary() {
  vocabulary.reading ||= fetch("/dashboard/vocabulary.json").then(async (response) => {
    if (!response.ok) throw new Error(`vocabulary: HTTP ${response.status}`);
    useVocabulary(await response.json());
  }).catch((error) => {
    vocabulary.reading = null;   // the next connection tries again
    throw error;
  });
  return vocabulary.reading;
}

/** Takes the vocabulary in, and renders again what was drawn without it (a timeline opened first). */
function useVocabulary({ phases = [], outcomes = [] }) {
  vocabulary.phases = phases.map((phase) => phase.name);
  vocabulary.deployment = vocabulary.phases.filter((name) => name !== "lifecycle");
  vocabulary.outcomes = outcomes.map((outcome) => outcome.name);
  vocabulary.labels = new Map(outcomes.map((outcome) => [outcome.name, outcome.label]));
  // Failures show as errors (a progress bar, a flow ending in one); summarised outcomes are counted even at zero.
  vocabulary.failures = new Set(outcomes.filter((outcome) => outcome.failure).map((outcome) => outcome.name));
  vocabulary.summarised = new Set(outcomes.filter((outcome) => outcome.summarised).map((outcome) => outcome.name));
  for (const name of state.devices.keys()) state.dirty.add(name);
  if (state.page) state.page.dirty = true;
  flush();
}

// ---- The stream ---------------------------------------------------------------------------------

function setConnection(kind, text) {
  const badge = field("connection");
  badge.dataset.state = kind;
  badge.textContent = text || kind;
}

/**
 * Follows the stream until the token is refused, reconnecting with backoff (1 s doubling to 15 s).
 * The vocabulary is read first: every row shows labels and progress from it, and an endpoint that
 * cannot serve it is not there yet.
 */
async function follow() {
  if (state.stream) state.stream.abort();
  const controller = new AbortController();
  state.stream = controller;
  let delay = 1000;
  while (!controller.signal.aborted) {
    setConnection("connecting", "connecting…");
    try {
      await loadVocabulary();
      const response = await api("/api/v1/stream", { signal: controller.signal, headers: { Accept: "text/event-stream" } });
      await readEvents(response.body, (name, data) => {
        if (name === "snapshot") delay = 1000;
        receive(name, data);
      });
    } catch (error) {
      if (controller.signal.aborted || error.status === 401) return;
    }
    if (controller.signal.aborted) return;
    for (let left = delay; left > 0 && !controller.signal.aborted; left -= 1000) {
      setConnection("reconnecting", `reconnecting in ${Math.ceil(left / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, left)));
    }
    delay = Math.min(delay * 2, 15000);
  }
}

/** Parses server-sent events from a body: `event:` and `data:` lines, a blank line ends a message. */
async function readEvents(body, onMessage) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "", event = "message", data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const lines = (buffer + value).split("\n");
    buffer = lines.pop();                     // an incomplete last line waits for more
    for (let line of lines) {
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line === "") {
        if (data.length) onMessage(event, data.join("\n"));
        event = "message"; data = [];
      } else if (!line.startsWith(":")) {     // ":" starts a comment (keepalive)
        const colon = line.indexOf(":");
        const name = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (name === "event") event = text;
        else if (name === "data") data.push(text);
      }
    }
  }
}

function receive(name, data) {
  let message;
  try { message = JSON.parse(data); } catch { return; }
  if (name === "snapshot") {
    setConnection("live", "live");
    showSnapshot(message);
  } else if (name === "device" && message.device) {
    const d = message.device;
    if (!state.rows.has(d.name)) addRow(d, field("devices"));
    state.devices.set(d.name, d);
    state.rows.get(d.name).trail.push(d.phase);
    markDirty(d.name);
    if (state.page && state.page.name === d.name && message.event) addEvent(message.event);
  }
}

// ---- The fleet ----------------------------------------------------------------------------------

function showSnapshot(snapshot) {
  state.lab = snapshot;
  field("lab").textContent = snapshot.lab || "";
  field("description").textContent = field("description").title = snapshot.description || "";
  document.title = snapshot.lab ? `${snapshot.lab} · pxelab` : "pxelab";
  const body = field("devices");
  const fragment = document.createDocumentFragment();
  state.devices.clear();
  state.rows.clear();
  for (const d of snapshot.devices || []) {
    state.devices.set(d.name, d);
    addRow(d, fragment);
  }
  body.replaceChildren(fragment);
  for (const name of state.devices.keys()) state.dirty.add(name);
  if (state.page) state.page.dirty = true;
  flush();
  renderCounters();
  field("empty").hidden = state.devices.size > 0;
  field("empty").textContent = "This lab has no devices.";
}

/** A row for a device, its cells empty until it is rendered. */
function addRow(d, parent) {
  const tr = el("tr", { "data-device": d.name, role: "row" });   // roles: CSS lays the table out as grid rows
  const cells = {};
  for (const name of ["name", "serial", "model", "profile", "phase", "step", "progress", "result"]) {
    cells[name] = tr.appendChild(el("td", { "data-field": name, role: "cell" }));
  }
  const link = cells.name.appendChild(el("a", { href: "#/devices/" + encodeURIComponent(d.name) }, d.name));
  link.className = "device-link";
  cells.serial.className = "mono";
  const bar = cells.progress.appendChild(el("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" }));
  bar.appendChild(el("div", { class: "fill" }));
  state.rows.set(d.name, { tr, cells, shown: {}, trail: [] });
  parent.appendChild(tr);
}

function markDirty(name) {
  state.dirty.add(name);
  if (state.page && state.page.name === name) state.page.dirty = true;
  if (state.scheduled) return;
  state.scheduled = true;
  requestAnimationFrame(flush);
  setTimeout(flush, 250);   // animation frames pause in hidden tabs; this keeps the state current
}

/** Renders every device changed since the last frame (each once, in its latest state). */
function flush() {
  state.scheduled = false;
  if (!state.dirty.size && !(state.page && state.page.dirty)) return;
  const filter = field("filter").value.trim().toLowerCase();
  for (const name of state.dirty) renderRow(name, filter);
  state.dirty.clear();
  renderCounters();
  field("empty").hidden = state.devices.size > 0;
  if (state.page && state.page.dirty) renderDevicePage();
}

/** Sets a cell's text only when it changed (replacing its text node, as observers expect). */
function setText(row, name, text) {
  if (row.shown[name] === text) return;
  row.shown[name] = text;
  row.cells[name].textContent = text;
}

function renderRow(name, filter) {
  const row = state.rows.get(name), d = state.devices.get(name);
  if (!row || !d) return;
  // Every phase the device went through since the last frame passes through the cell, so that
  // a MutationObserver sees each one even when several events arrive within one frame.
  for (const phase of row.trail) if (phase) setText(row, "phase", phase);
  row.trail = [];
  setText(row, "phase", d.phase || "—");
  const phaseClass = d.phase ? "phase ph-" + d.phase : "none";
  if (row.cells.phase.className !== phaseClass) row.cells.phase.className = phaseClass;
  setText(row, "step", d.step || "");
  row.cells.step.title = d.message || d.step || "";
  setText(row, "serial", d.serial || "");
  setText(row, "model", d.model || "");
  row.cells.model.title = d.platform || "";
  if (row.shown.profile !== `${d.profile}|${d.mode}`) {
    row.shown.profile = `${d.profile}|${d.mode}`;
    row.cells.profile.replaceChildren(document.createTextNode(d.profile || "—"));
    if (d.mode) row.cells.profile.appendChild(el("span", { class: "mode" }, d.mode));
  }
  const outcome = outcomeOf(d), result = resultText(d);
  if (row.shown.result !== `${outcome}|${result}`) {
    row.shown.result = `${outcome}|${result}`;
    row.cells.result.replaceChildren(el("span", { class: badgeClass(d), title: d.message || "" }, result));
  }
  const progress = progressOf(d);
  const failed = vocabulary.failures.has(outcome);
  if (row.shown.progress !== `${progress}|${failed}|${d.phase}`) {
    row.shown.progress = `${progress}|${failed}|${d.phase}`;
    const bar = row.cells.progress.firstChild;
    row.cells.progress.dataset.value = progress;
    bar.setAttribute("aria-valuenow", progress);
    bar.setAttribute("aria-label", `${d.name}: ${progress} %`);
    bar.className = "bar" + (failed ? " failed" : "") + (d.phase ? " ph-" + d.phase : "");
    bar.firstChild.style.transform = `scaleX(${progress / 100})`;   // no layout, unlike a width
  }
  if (row.tr.dataset.lifecycle !== d.lifecycle) row.tr.dataset.lifecycle = d.lifecycle;
  if (row.tr.dataset.outcome !== outcome) row.tr.dataset.outcome = outcome;
  const hidden = !matches(d, filter);
  if (row.tr.hidden !== hidden) row.tr.hidden = hidden;
}

/** A result badge: coloured by its outcome's class; `code` when it shows an error code (in monospace). */
const badgeClass = (d) => `badge outcome-${outcomeOf(d)}` + (d.errorCode ? " code" : "");

function matches(d, filter) {
  if (!filter) return true;
  return [d.name, d.serial, d.model, d.platform, d.profile, d.mode, d.groupTag, d.phase, d.step, resultText(d)]
    .some((value) => value && String(value).toLowerCase().includes(filter));
}

/** The header's counts, one per outcome in the vocabulary's order. */
function renderCounters() {
  const counts = new Map();
  for (const d of state.devices.values()) counts.set(outcomeOf(d), (counts.get(outcomeOf(d)) || 0) + 1);
  const parts = vocabulary.outcomes
    .filter((outcome) => counts.has(outcome) || vocabulary.summarised.has(outcome))
    .map((outcome) => `<span class="count outcome-${escapeHTML(outcome)}" data-count="${escapeHTML(outcome)}">` +
      `<b>${counts.get(outcome) || 0}</b> ${escapeHTML(outcomeLabel(outcome))}</span>`);
  const html = parts.join('<span class="sep"> · </span>');
  const box = field("counters");
  if (box.innerHTML !== html) box.innerHTML = html;
}

// ---- One device ---------------------------------------------------------------------------------

function route() {
  takeTokenFromHash();
  if (!state.token) return needToken();
  $("#login").hidden = true;
  $(".filter").hidden = false;
  const match = location.hash.match(/^#\/devices\/([^&?]+)/);
  if (match) openDevice(decodeURIComponent(match[1]));
  else closeDevice();
  if (!state.stream) follow();
}

function closeDevice() {
  if (state.page) clearTimeout(state.page.screenTimer);
  state.page = null;
  $("#device").hidden = true;
  $("#fleet").hidden = false;
}

/** Opens a device's page: its timeline is fetched, and stream events for it appended meanwhile. */
async function openDevice(name) {
  if (state.page && state.page.name === name) return;
  closeDevice();
  const page = { name, events: [], keys: new Set(), loading: true, buffered: [], dirty: true, screenAt: 0 };
  state.page = page;
  $("#fleet").hidden = true;
  $("#device").hidden = false;
  field("device-name").textContent = name;
  field("events").replaceChildren();
  field("timeline").replaceChildren();
  renderFlowStatus();
  flush();
  refreshScreen();
  try {
    const events = await (await api(devicePath(name, "timeline"))).json();
    if (state.page !== page) return;
    for (const event of [...events, ...page.buffered]) addEvent(event, true);
  } catch (error) {
    page.error = "Could not load the timeline: " + error.message;
  }
  page.loading = false;
  page.dirty = true;
  flush();
}

/** Adds an event to the open page (once: the timeline and the stream may both bring it). */
function addEvent(event, loading = false) {
  const page = state.page;
  if (page.loading && !loading) { page.buffered.push(event); return; }
  const key = [Date.parse(event.time), event.phase, event.step, event.status, event.message].join("|");
  if (page.keys.has(key)) return;
  page.keys.add(key);
  page.events.push(event);
  const code = hexCode(event.errorCode);
  const tr = el("tr", { class: "st-" + event.status });
  tr.append(el("td", { class: "mono" }, clock(event.time)), el("td", { class: "phase ph-" + event.phase }, event.phase),
    el("td", {}, event.step), el("td", {}, event.status), el("td", {}, event.message || ""), el("td", { class: "mono" }, code));
  field("events").prepend(tr);   // newest first
  page.dirty = true;
  if (!loading) scheduleScreen();   // the stream's markDirty renders the page
}

function renderDevicePage() {
  const page = state.page, d = state.devices.get(page.name);
  page.dirty = false;
  const set = (name, value) => { field(name).textContent = value === null || value === undefined || value === "" ? "—" : value; };
  if (d) {
    set("device-serial", d.serial); set("device-model", d.model); set("device-profile", d.profile); set("device-mode", d.mode);
    set("device-group-tag", d.groupTag); set("device-platform", d.platform); set("device-boot-count", d.bootCount);
    set("device-host", d.host);
    set("device-lifecycle", d.lifecycle); set("device-phase", d.phase); set("device-step", d.step); set("device-status", d.status);
    set("device-error", hexCode(d.errorCode)); set("device-message", d.message); set("device-time", clock(d.time));
    const badge = field("device-result");
    badge.textContent = resultText(d);
    badge.className = badgeClass(d);
  } else if (state.lab) {
    field("device-result").textContent = "not in this lab";
    field("device-result").className = "badge outcome-not-in-lab";
  }
  field("event-count").textContent = `${page.events.length} events`;
  renderTimeline(page.events);
}

/** The swimlane: one lane per phase, a bar for each stretch of time the device spent in it. */
function renderTimeline(events) {
  const box = field("timeline");
  if (!events.length) {
    box.replaceChildren(el("p", { class: "muted" }, state.page.error || (state.page.loading ? "Loading…" : "No events yet.")));
    return;
  }
  const times = events.map((e) => Date.parse(e.time));
  const start = Math.min(...times), end = Math.max(...times);
  field("timeline-span").textContent = `${clock(events[0].time)} → ${clock(events[events.length - 1].time)} · ${duration(end - start)}`;
  // Stretches: consecutive events of one phase; a stretch lasts until the next one starts.
  const stretches = [];
  events.forEach((e, i) => {
    const last = stretches[stretches.length - 1];
    if (last && last.phase === e.phase) last.events.push(e);
    else stretches.push({ phase: e.phase, from: times[i], events: [e] });
  });
  // ... unless it ended the deployment (failed, or reached the desktop): then it ends with its last event.
  stretches.forEach((s, i) => {
    const last = s.events[s.events.length - 1];
    const ended = last.status === "failed" || s.phase === "desktop" || i + 1 === stretches.length;
    s.to = ended ? Date.parse(last.time) : stretches[i + 1].from;
  });
  // Long idle gaps (a deployment ended, the next flow came later) are drawn as short hatched
  // breaks, so that a reset an hour later does not squeeze the deployment into a sliver.
  const gaps = stretches.slice(1).map((next, i) => ({ from: stretches[i].to, to: next.from }))
    .filter((g) => g.to - g.from > 5000);
  const busy = Math.max(end - start - gaps.reduce((sum, g) => sum + g.to - g.from, 0), 1);
  gaps.forEach((g) => { g.drawn = Math.min(g.to - g.from, busy * 0.04); });
  const offset = (t) => gaps.reduce((o, g) =>
    o - Math.min(Math.max(t - g.from, 0), g.to - g.from) * (1 - g.drawn / (g.to - g.from)), t - start);
  const total = Math.max(offset(end), 1);
  const x = (t) => (offset(t) / total) * 100;
  // A lane per phase the device went through, in the vocabulary's order (phases it does not know
  // come last, in the order the device met them: the sort is stable).
  const lanes = [...new Set(stretches.map((s) => s.phase))].sort((a, b) => phaseRank(a) - phaseRank(b));
  const fragment = document.createDocumentFragment();
  for (const phase of lanes) {
    const lane = el("div", { class: "lane", "data-phase": phase });
    lane.append(el("span", { class: "lane-label phase ph-" + phase }, phase));
    const track = lane.appendChild(el("div", { class: "track" }));
    for (const g of gaps) {
      const gap = track.appendChild(el("div", { class: "gap", title: `idle for ${duration(g.to - g.from)}` }));
      gap.style.left = x(g.from) + "%";
      gap.style.width = x(g.to) - x(g.from) + "%";
    }
    for (const s of stretches.filter((s) => s.phase === phase)) {
      const failure = s.events.find((e) => e.status === "failed");
      const bar = el("div", { class: "span ph-" + phase + (failure ? " failed" : "") });
      const width = Math.max(x(s.to) - x(s.from), 0.6);
      bar.style.left = Math.min(x(s.from), 100 - width) + "%";
      bar.style.width = width + "%";
      bar.title = `${phase}: ${duration(s.to - s.from)} (${clock(new Date(s.from).toISOString())}, ${s.events.length} events)` +
        (failure ? `\nfailed at ${failure.step}: ${hexCode(failure.errorCode)} ${failure.message || ""}` : "");
      track.append(bar);
      for (const e of s.events.filter((e) => e.status === "failed")) {
        const mark = el("div", { class: "fail-mark", title: `${e.step} failed ${hexCode(e.errorCode)}\n${e.message || ""}` });
        mark.style.left = x(Date.parse(e.time)) + "%";
        track.append(mark);
      }
    }
    fragment.append(lane);
  }
  box.replaceChildren(fragment);
}

// ---- Screen -------------------------------------------------------------------------------------

/** Refreshes the screenshot at most every 5 s while events arrive for the device. */
function scheduleScreen() {
  const page = state.page;
  if (page.screenTimer) return;
  const wait = Math.max(0, page.screenAt + 5000 - Date.now());
  page.screenTimer = setTimeout(() => { page.screenTimer = null; if (state.page === page) refreshScreen(); }, wait);
}

async function refreshScreen() {
  const page = state.page;
  if (!page || page.screenBusy) return;
  page.screenBusy = true;
  page.screenAt = Date.now();
  const image = field("screen-image"), status = field("screen-status");
  try {
    const blob = await (await api(devicePath(page.name, "screen"), { cache: "no-store" })).blob();
    if (state.page !== page) return;
    if (image.src) URL.revokeObjectURL(image.src);
    image.src = URL.createObjectURL(blob);
    image.hidden = false;
    status.textContent = "Taken at " + new Date().toLocaleTimeString([], { hour12: false });
  } catch (error) {
    if (state.page !== page) return;
    image.hidden = true;
    status.textContent = error.message;
  } finally {
    page.screenBusy = false;
  }
}

// ---- Flows --------------------------------------------------------------------------------------

/** Runs a flow (reset, repurpose, recover, retire) on the open device and reports how it ended. */
async function runFlow(flow) {
  const name = state.page.name;
  state.flows.set(name, { running: true, text: `${flow} running…`, kind: "running" });
  renderFlowStatus();
  try {
    const response = await api(devicePath(name, "flows/" + flow), {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(FLOW_OPTIONS[flow] || {}),
    });
    const r = await response.json();
    const ok = !r.refused && !r.errorCode && !vocabulary.failures.has(r.result);
    let text = r.refused ? `${flow} refused` : `${flow}: ${outcomeLabel(r.result)}`;
    if (typeof r.seconds === "number") text += ` in ${duration(r.seconds * 1000)}`;
    if (r.kept && r.kept.length) text += `; kept ${r.kept.join(", ")}`;
    if (r.removed && r.removed.length) text += `; removed ${r.removed.join(", ")}`;
    if (r.errorCode) text += `; ${hexCode(r.errorCode)}`;
    if (r.message) text += ` (${r.message})`;
    state.flows.set(name, { text, kind: ok ? "ok" : "error" });
  } catch (error) {
    state.flows.set(name, { text: `${flow} failed: ${error.message}`, kind: "error" });
  }
  renderFlowStatus();
}

function renderFlowStatus() {
  if (!state.page) return;
  const flow = state.flows.get(state.page.name);
  const status = field("action-status");
  status.textContent = flow ? flow.text : "";
  status.dataset.kind = flow ? flow.kind : "";
  for (const button of document.querySelectorAll("button[data-flow]")) button.disabled = !!(flow && flow.running);
}

// ---- Start --------------------------------------------------------------------------------------

document.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button || button.disabled || !state.page) return;
  if (button.dataset.flow) runFlow(button.dataset.flow);
  else if (button.dataset.action === "refresh-screen") refreshScreen();
});
$("#login").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = $("#token-input").value.trim();
  if (!token) return;
  state.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
  $("#token-input").value = "";
  route();
});
field("filter").addEventListener("input", () => {
  for (const name of state.devices.keys()) state.dirty.add(name);
  flush();
});
window.addEventListener("hashchange", route);
// The fleet's column headers stick under the header, whatever its height.
new ResizeObserver(([entry]) => document.documentElement.style.setProperty("--topbar-height",
  entry.target.offsetHeight + "px")).observe($(".topbar"));
route();
