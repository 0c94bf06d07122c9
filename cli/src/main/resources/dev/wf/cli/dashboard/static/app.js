// wf dashboard: three pages (runs, one run, agents) fed by one Server-Sent Events stream each.
// The stream sends a snapshot, then small deltas; nothing here polls. Long lists are virtualised:
// only the rows in view are in the DOM, so 5,000 runs or a 10,000-step run stay smooth.
"use strict";

const ROW = 32; // px, the --row height of app.css
const STATUSES = ["running", "waiting", "success", "failed", "timeout", "cancelled", "skipped", "rejected"];

let clockOffset = 0; // server clock minus ours, so that running times use the server's
const now = () => Date.now() + clockOffset;

function esc(s) {
  return String(s == null ? "" : s).replace(/[&<>"']/g, c =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function fmtDuration(ms) {
  if (ms == null || ms < 0) return "";
  if (ms < 1000) return ms + " ms";
  const s = ms / 1000;
  if (s < 60) return s.toFixed(1) + " s";
  const m = Math.floor(s / 60);
  if (m < 60) return m + "m " + Math.floor(s % 60) + "s";
  return Math.floor(m / 60) + "h " + (m % 60) + "m";
}

function fmtTime(ms) {
  if (ms == null || ms < 0) return "";
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

function ago(ms) {
  if (ms == null || ms < 0) return "";
  return fmtDuration(Math.max(0, now() - ms)) + " ago";
}

function statusHtml(status) {
  return `<span class="status" data-status="${esc(status)}">${esc(status)}</span>`;
}

function toast(text) {
  const t = document.getElementById("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
}

/** Sends an action; the header proves it comes from this page (the server refuses others). */
async function act(url, body) {
  const r = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-WF-Dashboard": "1" },
    body: JSON.stringify(body || {}),
  });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(answer.error || r.statusText);
  return answer;
}

/** Opens the page's event stream; EventSource reconnects by itself and gets a fresh snapshot. */
function stream(query, handlers) {
  const conn = document.getElementById("conn");
  const es = new EventSource("/events?" + query);
  es.onopen = () => { conn.dataset.state = "live"; conn.textContent = "live"; };
  es.onerror = () => { conn.dataset.state = "down"; conn.textContent = "reconnecting…"; };
  for (const [name, fn] of Object.entries(handlers)) {
    es.addEventListener(name, ev => {
      const data = JSON.parse(ev.data);
      clockOffset = data.now - Date.now();
      fn(data);
    });
  }
  // A page left behind (the back-forward cache keeps it) must not hold its stream: browsers allow
  // six connections to one host, and a seventh page would wait for one of them to close.
  window.addEventListener("pagehide", () => es.close());
  window.addEventListener("pageshow", ev => { if (ev.persisted) location.reload(); });
  return es;
}

/** Coalesces many updates into one redraw per animation frame. */
function scheduler(fn) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; fn(); });
  };
}

/**
 * A list that renders only the rows in view (plus a margin), positioned absolutely inside a
 * spacer as tall as all rows: the DOM holds a few dozen rows whatever the length.
 */
class VirtualList {
  constructor(scroller, renderRow, onClick) {
    this.scroller = scroller;
    this.inner = document.createElement("div");
    this.inner.className = "rows";
    scroller.appendChild(this.inner);
    this.items = [];
    this.renderRow = renderRow;
    this.redraw = scheduler(() => this.draw());
    scroller.addEventListener("scroll", this.redraw, { passive: true });
    window.addEventListener("resize", this.redraw);
    if (onClick) {
      this.inner.addEventListener("click", ev => {
        const row = ev.target.closest(".row");
        if (row && !ev.target.closest("a[href], button")) onClick(this.items[+row.dataset.i], ev);
      });
    }
  }

  set(items) {
    this.items = items;
    this.redraw();
  }

  draw() {
    const n = this.items.length;
    this.inner.style.height = n * ROW + "px";
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW) - 10);
    const last = Math.min(n, Math.ceil((top + height) / ROW) + 10);
    let html = "";
    for (let i = first; i < last; i++) {
      html += this.renderRow(this.items[i], i).replace("<div class=\"row", `<div data-i="${i}" style="top:${i * ROW}px" class="row`);
    }
    this.inner.innerHTML = html;
  }
}

// ---------------------------------------------------------------------------------------------
// Runs: newest first, filter by status and by name, counts per status.

function runsPage(main) {
  document.getElementById("nav-runs").classList.add("active");
  const params = new URLSearchParams(location.search);
  let filterStatus = params.get("status") || "";
  let filterName = params.get("q") || "";
  main.innerHTML = `
    <div class="bar">
      <div id="counts" class="bar"></div>
      <input id="filter-name" type="search" placeholder="Filter by name or run id" value="${esc(filterName)}">
    </div>
    <div class="panel list runs">
      <div class="head"><span>Status</span><span>Workflow</span><span>Run</span><span>Started</span><span>Duration</span><span>Steps</span></div>
      <div class="scroll" id="runs"></div>
    </div>`;
  const runs = new Map();
  const list = new VirtualList(document.getElementById("runs"), runRow, r => { location.href = "/runs/" + encodeURIComponent(r.id); });
  const counts = document.getElementById("counts");

  function runRow(r) {
    const c = r.counts || {};
    const done = r.steps - (c.running || 0) - (c.waiting || 0);
    const bars = STATUSES.filter(s => c[s]).map(s =>
      `<span data-status="${s}" style="width:${(100 * c[s]) / Math.max(1, r.steps)}%"></span>`).join("");
    const dur = r.status === "running" ? now() - r.startedAt : r.duration;
    const approvals = r.approvals ? ` <span class="badge" data-status="waiting">${r.approvals} approval</span>` : "";
    return `<div class="row" data-run-id="${esc(r.id)}" data-status="${esc(r.status)}">
      <span>${statusHtml(r.status)}</span>
      <span title="${esc(r.name)}"><a href="/runs/${encodeURIComponent(r.id)}">${esc(r.name)}</a>${approvals}</span>
      <span class="mono muted" title="${esc(r.id)}">${esc(r.id)}</span>
      <span class="muted">${esc(fmtTime(r.startedAt))}</span>
      <span>${esc(fmtDuration(dur))}</span>
      <span title="${done}/${r.steps} steps ended${r.errors ? ", " + r.errors + " errors" : ""}"><div class="progress">${bars}</div></span>
    </div>`;
  }

  const refresh = scheduler(() => {
    const all = [...runs.values()];
    const tally = {};
    for (const r of all) tally[r.status] = (tally[r.status] || 0) + 1;
    counts.innerHTML = [`<span class="chip${filterStatus ? "" : " active"}" data-filter=""><b>${all.length}</b> all</span>`]
      .concat(STATUSES.filter(s => tally[s]).map(s =>
        `<span class="chip${filterStatus === s ? " active" : ""}" data-filter="${s}" data-status="${s}"><span class="status" data-status="${s}"></span><b data-count="${s}">${tally[s]}</b> ${s}</span>`))
      .join("");
    const q = filterName.toLowerCase();
    const shown = all.filter(r => (!filterStatus || r.status === filterStatus)
      && (!q || r.name.toLowerCase().includes(q) || r.id.toLowerCase().includes(q)));
    shown.sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
    list.set(shown);
    document.body.dataset.runs = String(all.length);
    document.body.dataset.shown = String(shown.length);
  });

  counts.addEventListener("click", ev => {
    const chip = ev.target.closest(".chip");
    if (!chip) return;
    filterStatus = chip.dataset.filter;
    syncUrl();
    refresh();
  });
  document.getElementById("filter-name").addEventListener("input", ev => {
    filterName = ev.target.value;
    syncUrl();
    refresh();
  });
  function syncUrl() {
    const p = new URLSearchParams();
    if (filterStatus) p.set("status", filterStatus);
    if (filterName) p.set("q", filterName);
    history.replaceState(null, "", "/" + (p.toString() ? "?" + p : ""));
  }

  stream("scope=runs", {
    snapshot: d => {
      runs.clear();
      for (const r of d.runs) runs.set(r.id, r);
      refresh();
      ready();
    },
    runs: d => {
      for (const r of d.runs) runs.set(r.id, r);
      for (const id of d.evicted) runs.delete(id);
      refresh();
    },
  });
  setInterval(list.redraw, 1000); // running durations tick
}

// ---------------------------------------------------------------------------------------------
// One run: its tree of steps with a timeline, approvals, cancel, and a step's details.

function runPage(main, runId) {
  document.getElementById("nav-runs").classList.add("active");
  main.innerHTML = `
    <div class="runhead">
      <h1 id="run-name">${esc(runId)}</h1>
      <span id="run-status" class="badge" data-status="running">…</span>
      <span class="facts"><span class="mono">${esc(runId)}</span><span id="run-started"></span><span id="run-duration"></span><span id="run-counts"></span></span>
      <span style="margin-left:auto"><button id="cancel" class="danger" hidden>Cancel run</button></span>
    </div>
    <div id="run-reason" class="reason"></div>
    <div id="approvals" class="approvals"></div>
    <div class="split">
      <div class="panel list steps">
        <div class="head"><span>Step</span><span>Status</span><span>Agent</span><span>Try</span><span>Duration</span><span>Timeline</span></div>
        <div class="scroll" id="steps"><div class="empty" id="no-steps">Waiting for the run's events…</div></div>
      </div>
      <aside class="panel details" id="details"><p class="muted">Select a step to see its attempts, result and output.</p></aside>
    </div>`;
  const steps = new Map(); // path -> row
  const children = new Map(); // parent path -> [paths] by index
  const collapsed = new Set();
  let run = null;
  let root = null;
  let selected = null;
  let structureChanged = true;
  let flat = [];
  const list = new VirtualList(document.getElementById("steps"), stepRow, (s, ev) => {
    if (ev.target.closest(".tw") && children.has(s.path)) {
      collapsed.has(s.path) ? collapsed.delete(s.path) : collapsed.add(s.path);
      structureChanged = true;
      refresh();
      return;
    }
    select(s.path);
  });

  function depthOf(s) {
    let d = 0;
    for (let p = s.parent; p && steps.has(p); p = steps.get(p).parent) d++;
    return d;
  }

  function stepRow(s) {
    const group = children.has(s.path);
    const twisty = group ? (collapsed.has(s.path) ? "▸" : "▾") : "";
    const start = run && run.startedAt > 0 ? run.startedAt : s.startedAt;
    const end = run && run.status !== "running" && run.endedAt > 0 ? run.endedAt : now();
    const span = Math.max(1, end - start);
    const s0 = s.startedAt > 0 ? s.startedAt : end;
    const s1 = s.endedAt > 0 ? s.endedAt : (s.status === "skipped" ? s0 : end);
    const left = Math.min(100, Math.max(0, (100 * (s0 - start)) / span));
    const width = Math.min(100 - left, Math.max(0, (100 * (s1 - s0)) / span));
    const dur = s.endedAt > 0 ? s.duration : (s.startedAt > 0 ? now() - s.startedAt : -1);
    const tries = s.attempt > 1 || s.lost ? `${s.attempt}${s.lost ? " (" + s.lost + " lost)" : ""}` : (s.attempt || "");
    return `<div class="row${selected === s.path ? " selected" : ""}" data-path="${esc(s.path)}" data-name="${esc(s.name)}" data-status="${esc(s.status)}" title="${esc(s.error || s.waitingFor || s.path)}">
      <span class="name" style="padding-left:${depthOf(s) * 18}px"><span class="tw">${twisty}</span><span class="${group ? "group-name" : ""}">${esc(s.name)}</span></span>
      <span>${statusHtml(s.status)}</span>
      <span class="mono muted">${esc(s.agent || "")}</span>
      <span>${esc(tries)}</span>
      <span>${esc(fmtDuration(dur))}</span>
      <span class="tl" data-status="${esc(s.status)}"><span style="left:${left}%;width:${width}%"></span></span>
    </div>`;
  }

  function addChild(s) {
    if (!s.parent) { root = s.path; return; }
    let sibs = children.get(s.parent);
    if (!sibs) children.set(s.parent, (sibs = []));
    let i = sibs.length;
    while (i > 0 && steps.get(sibs[i - 1]).index > s.index) i--;
    sibs.splice(i, 0, s.path);
  }

  /** Updates a step in place: the flattened tree holds these very objects. */
  function put(s) {
    const old = steps.get(s.path);
    if (old) {
      for (const k of Object.keys(old)) delete old[k];
      Object.assign(old, s);
      return;
    }
    steps.set(s.path, s);
    addChild(s);
    structureChanged = true;
  }

  /** Depth-first, children in their order; a step whose parent is unknown yet hangs at the top. */
  function flatten() {
    const out = [];
    const walk = p => {
      const s = steps.get(p);
      if (!s) return;
      out.push(s);
      if (collapsed.has(p)) return;
      for (const c of children.get(p) || []) walk(c);
    };
    if (root) walk(root);
    for (const s of steps.values()) if (s.parent && !steps.has(s.parent) && s.path !== root) out.push(s);
    return out;
  }

  const refresh = scheduler(() => {
    if (structureChanged) { flat = flatten(); structureChanged = false; }
    document.getElementById("no-steps")?.remove();
    list.set(flat);
    header();
    approvals();
    document.body.dataset.steps = String(steps.size);
  });

  function header() {
    if (!run) return;
    document.getElementById("run-name").textContent = run.name;
    document.title = run.name + " · wf";
    const badge = document.getElementById("run-status");
    badge.dataset.status = run.status;
    badge.textContent = run.status;
    document.getElementById("run-started").textContent = "started " + fmtTime(run.startedAt);
    document.getElementById("run-duration").textContent =
      fmtDuration(run.status === "running" ? now() - run.startedAt : run.duration);
    const c = run.counts || {};
    document.getElementById("run-counts").innerHTML = STATUSES.filter(s => c[s])
      .map(s => `<span class="status" data-status="${s}">${c[s]} ${s}</span>`).join(" ");
    // why a run did not succeed; a success with failures under onError: continue shows them in its steps
    document.getElementById("run-reason").textContent =
      run.status !== "running" && run.status !== "success" && run.reason ? run.reason : "";
    const cancel = document.getElementById("cancel");
    cancel.hidden = run.status !== "running";
  }

  function approvals() {
    const box = document.getElementById("approvals");
    const waiting = [...steps.values()].filter(s => s.approval != null && s.status === "waiting");
    const key = waiting.map(s => s.path).join("|");
    if (box.dataset.key === key) return; // keep what a person is typing in a comment
    box.dataset.key = key;
    box.innerHTML = waiting.map(s => `
      <div class="approval" data-approval="${esc(s.name)}">
        <span class="status" data-status="waiting"></span>
        <span class="msg"><b>${esc(s.name)}</b> asks: ${esc(s.approval || "approve?")}</span>
        <input type="text" class="comment" placeholder="Comment (optional)">
        <button class="ok" data-decision="approve">Approve</button>
        <button class="no" data-decision="reject">Reject</button>
      </div>`).join("");
  }

  document.getElementById("approvals").addEventListener("click", async ev => {
    const b = ev.target.closest("button[data-decision]");
    if (!b) return;
    const box = b.closest(".approval");
    box.querySelectorAll("button").forEach(x => { x.disabled = true; });
    try {
      await act(`/api/runs/${encodeURIComponent(runId)}/signal`, {
        step: box.dataset.approval, decision: b.dataset.decision, comment: box.querySelector(".comment").value,
      });
      toast(`${b.dataset.decision} of "${box.dataset.approval}" sent`);
    } catch (e) {
      toast("not sent: " + e.message);
      box.querySelectorAll("button").forEach(x => { x.disabled = false; });
    }
  });

  // Cancelling kills running actions: the first click arms the button, the second sends.
  const cancel = document.getElementById("cancel");
  cancel.addEventListener("click", async () => {
    if (!cancel.classList.contains("armed")) {
      cancel.classList.add("armed");
      cancel.textContent = "Click again to cancel";
      setTimeout(() => { cancel.classList.remove("armed"); cancel.textContent = "Cancel run"; }, 5000);
      return;
    }
    cancel.disabled = true;
    try {
      await act(`/api/runs/${encodeURIComponent(runId)}/cancel`);
      cancel.textContent = "Cancelling…";
      toast("cancel sent");
    } catch (e) {
      cancel.disabled = false;
      toast("not sent: " + e.message);
    }
  });

  async function select(path) {
    selected = path;
    list.redraw();
    const r = await fetch(`/api/runs/${encodeURIComponent(runId)}/step?path=${encodeURIComponent(path)}`, { credentials: "same-origin" });
    if (!r.ok || selected !== path) return;
    const s = await r.json();
    const attempts = (s.attempts || []).map(a => `<tr data-status="${esc(a.status)}"><td>${a.attempt}</td><td>${statusHtml(a.status)}</td><td class="mono">${esc(a.agent || "")}</td><td class="err">${esc(a.error || "")}</td></tr>`).join("");
    document.getElementById("details").innerHTML = `
      <h3>${esc(s.name)}</h3>
      <dl>
        <dt>Status</dt><dd>${statusHtml(s.status)}</dd>
        <dt>Path</dt><dd class="mono">${esc(s.path)}</dd>
        <dt>Agent</dt><dd class="mono">${esc(s.agent || "–")}</dd>
        <dt>Started</dt><dd>${esc(fmtTime(s.startedAt))}</dd>
        <dt>Duration</dt><dd>${esc(fmtDuration(s.duration >= 0 ? s.duration : now() - s.startedAt))}</dd>
        <dt>Attempt</dt><dd>${s.attempt || "–"}${s.retries ? ` (${s.retries} retries)` : ""}${s.lost ? `, ${s.lost} lost` : ""}</dd>
        ${s.waitingFor ? `<dt>Waiting</dt><dd>${esc(s.waitingFor)}</dd>` : ""}
      </dl>
      ${s.error ? `<h4>Error</h4><pre class="err-text">${esc(s.error)}</pre>` : ""}
      ${attempts ? `<h4>Attempts</h4><table><tr><th>#</th><th>Outcome</th><th>Agent</th><th>Error</th></tr>${attempts}</table>` : ""}
      ${s.output ? `<h4>Output (tail)</h4><pre id="output">${esc(s.output)}</pre>` : ""}
      ${s.result ? `<h4>Result</h4><pre id="result">${esc(s.result)}</pre>` : ""}`;
  }

  stream("scope=run&run=" + encodeURIComponent(runId), {
    snapshot: d => {
      steps.clear(); children.clear(); root = null; structureChanged = true;
      run = d.run;
      for (const s of d.steps) put(s);
      refresh();
      ready();
    },
    run: d => {
      run = d.run;
      let selectedChanged = false;
      for (const s of d.steps) { put(s); if (s.path === selected) selectedChanged = true; }
      refresh();
      if (selectedChanged) select(selected);
    },
  });
  setInterval(() => { if (run && run.status === "running") { list.redraw(); header(); } }, 1000);
}

// ---------------------------------------------------------------------------------------------
// Agents: pools, what each agent runs, last heartbeat, attempts lost with it.

function agentsPage(main) {
  document.getElementById("nav-agents").classList.add("active");
  main.innerHTML = `
    <div class="pools" id="pools"></div>
    <div class="panel list agents">
      <div class="head"><span>State</span><span>Agent</span><span>Host</span><span>Pools</span><span>Running</span><span>Heartbeat</span><span>Lost</span><span>Runs now</span></div>
      <div class="scroll" id="agents"></div>
    </div>`;
  let agents = [];
  const state = a => a.gone ? "gone" : a.stopping ? "stopping"
    : now() - a.at > Math.max(10000, 3 * (a.intervalMs || 0)) ? "silent" : "live";
  const stateStatus = { live: "success", stopping: "waiting", silent: "failed", gone: "skipped" };
  const list = new VirtualList(document.getElementById("agents"), a => {
    const st = state(a);
    const running = (a.running || []).map(r =>
      `<a href="/runs/${encodeURIComponent(r.runId)}" class="mono" title="${esc(r.runId + " " + r.path)}">${esc(r.name || r.path)} #${r.attempt}</a>`).join(", ");
    return `<div class="row" data-agent="${esc(a.id)}" data-state="${st}">
      <span>${statusHtml(stateStatus[st]).replace(">" + stateStatus[st] + "<", ">" + st + "<")}</span>
      <span class="mono">${esc(a.id)}</span>
      <span class="muted">${esc(a.host || "")}</span>
      <span>${esc((a.pools || []).join(", "))}</span>
      <span>${(a.running || []).length}/${a.maxConcurrent || 0}</span>
      <span class="muted">${esc(ago(a.at))}</span>
      <span class="${a.lost ? "err" : "muted"}">${a.lost}</span>
      <span>${running}</span>
    </div>`;
  });
  const refresh = scheduler(() => {
    const pools = new Map();
    for (const a of agents) {
      if (state(a) !== "live") continue;
      for (const p of a.pools || []) {
        const x = pools.get(p) || { agents: 0, running: 0, slots: 0 };
        x.agents++; x.running += (a.running || []).length; x.slots += a.maxConcurrent || 0;
        pools.set(p, x);
      }
    }
    document.getElementById("pools").innerHTML = [...pools.entries()].sort().map(([p, x]) =>
      `<div class="panel pool" data-pool="${esc(p)}"><div class="muted">pool</div><b>${esc(p)}</b><div>${x.agents} agent${x.agents === 1 ? "" : "s"} · ${x.running}/${x.slots} busy</div></div>`).join("")
      || `<div class="muted">No live agents.</div>`;
    list.set(agents);
  });
  stream("scope=agents", {
    snapshot: d => { agents = d.agents; refresh(); ready(); },
    agents: d => { agents = d.agents; refresh(); },
  });
  setInterval(refresh, 1000); // heartbeat ages tick
}

/** Marks the first render done (the browser tests and the load-time figure read it). */
function ready() {
  if (!document.body.dataset.ready) {
    requestAnimationFrame(() => {
      document.body.dataset.ready = "1";
      window.wfReadyAt = performance.now();
    });
  }
}

(function route() {
  const main = document.getElementById("main");
  const path = location.pathname;
  if (path.startsWith("/runs/")) runPage(main, decodeURIComponent(path.slice("/runs/".length)));
  else if (path === "/agents") agentsPage(main);
  else runsPage(main);
})();
