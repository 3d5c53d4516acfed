"use strict";
// The inspector's page. It talks only to this inspector's JSON API (/api/...),
// builds every piece of outside text into the page as text (never as HTML),
// and keeps the list live through /api/stream.
(() => {
  const config = JSON.parse(document.getElementById("config").textContent);
  const $ = (id) => document.getElementById(id);
  const LIST_LIMIT = 1000;
  const HOP = new Set(["host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "trailer",
    "upgrade", "proxy-connection", "proxy-authenticate", "proxy-authorization", "expect"]);

  let rows = [];           // summaries, newest first
  let selected = null;     // id
  let detail = null;       // the selected request's detail
  let bodyMode = "pretty";
  let tab = "request";

  // ---- small helpers ------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  function clock(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return iso || "";
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
  function decodeBody(b64) {
    const bin = atob(b64 || "");
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder("utf-8").decode(bytes);
  }
  function size(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
    return `${(n / (1 << 20)).toFixed(1)} MiB`;
  }
  function toast(text) {
    const t = $("toast");
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, 2600);
  }
  async function api(path, opts = {}) {
    const init = { method: opts.method || "GET", headers: {} };
    if (init.method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body || {});
    }
    const resp = await fetch(path, init);
    if (resp.status === 204) return null;
    const doc = await resp.json().catch(() => ({ error: `HTTP ${resp.status}` }));
    if (!resp.ok) throw new Error(doc.error || `HTTP ${resp.status}`);
    return doc;
  }
  const typeClass = (name) => (name ? `t-${String(name).split(".")[0]}` : "");
  const statusClass = (s) => `code-badge s${String(s || 0)[0]}`;

  function eventLabel(r) {
    if (r.batch) {
      const first = r.batch[0] ? r.batch[0].event : "";
      return { name: `batch of ${r.batch.length}`, type: first, id: first ? `${first}…` : "" };
    }
    return { name: r.event, type: r.event, id: r.event_id };
  }
  function forwardText(f) {
    if (!f) return null;
    if (f.status !== null && f.status !== undefined) return { text: `→ ${f.status} (${f.duration_ms} ms)`, bad: f.status >= 400 };
    return { text: `→ ${f.error || "no answer"}`, bad: true };
  }
  function ok(r) { return r.status >= 200 && r.status < 300; }

  // ---- filters and list ---------------------------------------------------
  function filters() {
    const p = new URLSearchParams();
    const ev = $("f-event").value.trim(), st = $("f-status").value, ve = $("f-verified").value, q = $("f-q").value;
    if (ev) p.set("event", ev);
    if (st) p.set("status", st);
    if (ve) p.set("verified", ve);
    if (q) p.set("q", q);
    return p;
  }
  const filtering = () => [...filters().keys()].length > 0;

  async function load() {
    const p = filters();
    $("download").href = `/api/requests?${new URLSearchParams([...p, ["format", "ndjson"]])}`;
    p.set("limit", LIST_LIMIT);
    try {
      const doc = await api(`/api/requests?${p}`);
      $("f-event").classList.remove("invalid");
      rows = doc.requests;
      renderList();
    } catch (e) {
      $("f-event").classList.add("invalid");
      toast(e.message);
    }
  }
  let reloadTimer = null;
  function reloadSoon(ms = 200) {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(load, ms);
  }

  function rowFor(r, fresh) {
    const ev = eventLabel(r);
    const mark = r.verified === true ? ["✔", "ok", "signature verified"]
      : r.verified === false ? ["✘", "bad", "signature not valid"]
      : ok(r) ? ["✔", "unk", "not verified"] : ["✘", "bad", "refused"];
    const fwd = forwardText(r.forward);
    const rejected = r.error && !ok(r);
    const tags = [];
    if (r.duplicate) tags.push(el("span", { class: "tag", text: "duplicate" }));
    if (r.filtered) tags.push(el("span", { class: "tag", text: "filtered" }));
    if (r.verified === null && ok(r)) tags.push(el("span", { class: "tag", text: "unverified" }));
    return el("tr", { class: `row${r.id === selected ? " sel" : ""}${fresh ? " new" : ""}`, "data-id": r.id, onclick: () => select(r.id) },
      el("td", { class: "time", text: clock(r.received_at) }),
      el("td", {}, el("span", { class: `mark ${mark[1]}`, title: mark[2], text: mark[0] })),
      el("td", {}, el("span", { class: statusClass(r.status), text: r.status })),
      el("td", {},
        ev.name ? el("span", { class: `ev ${typeClass(ev.type)}`, text: ev.name }) : el("span", { class: "dim", text: `${r.method} ${r.path}` }),
        tags,
        ev.id ? el("div", { class: "evid", text: ev.id }) : null,
        rejected || r.error ? el("span", { class: "reason", text: r.error }) : null),
      el("td", { class: "num time", text: `${r.duration_ms} ms` }),
      el("td", {}, fwd ? el("span", { class: `fwd${fwd.bad ? " bad" : ""}`, text: fwd.text }) : el("span", { class: "dim", text: "—" })));
  }

  function renderList(freshId) {
    const body = $("rows");
    body.replaceChildren(...rows.map((r) => rowFor(r, r.id === freshId)));
    $("count").textContent = `${rows.length} request${rows.length === 1 ? "" : "s"}${filtering() ? " (filtered)" : ""}`;
    $("empty").hidden = rows.length > 0;
  }

  function arrive(summary) {
    if (filtering()) { reloadSoon(); return; }
    rows.unshift(summary);
    if (rows.length > LIST_LIMIT) rows.length = LIST_LIMIT;
    const body = $("rows");
    body.prepend(rowFor(summary, true));
    while (body.children.length > rows.length) body.lastChild.remove();
    $("count").textContent = `${rows.length} request${rows.length === 1 ? "" : "s"}`;
    $("empty").hidden = true;
    if (!selected) select(summary.id);
  }

  // ---- live stream and counters -------------------------------------------
  function connect() {
    const live = $("live");
    const src = new EventSource("/api/stream");
    src.addEventListener("open", () => { live.className = "live on"; $("live-text").textContent = "live"; load(); });
    src.addEventListener("error", () => { live.className = "live off"; $("live-text").textContent = "reconnecting…"; });
    src.addEventListener("request", (m) => {
      try { arrive(JSON.parse(m.data)); } catch (e) { reloadSoon(); }
      statsSoon();
    });
  }
  let statsTimer = null;
  function statsSoon() { if (!statsTimer) statsTimer = setTimeout(() => { statsTimer = null; stats(); }, 300); }
  async function stats() {
    try {
      const s = await api("/api/status");
      const p50 = s.latency_ms.p50 === null ? "–" : `${s.latency_ms.p50.toFixed(1)} ms`;
      const item = (label, v, cls) => el("span", { class: `stat ${cls || ""}` }, el("b", { text: v }), " ", el("span", { class: "dim", text: label }));
      $("stats").replaceChildren(
        item("received", s.received), item("verified", s.verified, "ok"),
        item("rejected", s.rejected, s.rejected ? "bad" : ""), item("forwarded", s.forwarded),
        item("p50", p50));
    } catch (e) { /* the next update tries again */ }
  }

  // ---- detail -------------------------------------------------------------
  async function select(id) {
    selected = id;
    for (const tr of $("rows").children) tr.classList.toggle("sel", tr.dataset.id === id);
    const tr = $("rows").querySelector(`tr[data-id="${CSS.escape(id)}"]`);
    if (tr) tr.scrollIntoView({ block: "nearest" });
    try {
      const d = await api(`/api/requests/${encodeURIComponent(id)}`);
      if (selected !== id) return;
      detail = d;
      renderDetail();
    } catch (e) {
      toast(e.message);
    }
  }

  function kvTable(target, headers) {
    const entries = Object.entries(headers || {});
    target.replaceChildren(...(entries.length ? entries.map(([k, v]) => el("tr", {}, el("td", { text: k }), el("td", { text: v })))
      : [el("tr", {}, el("td", { class: "dim", text: "none" }), el("td"))]));
  }
  function meta(target, pairs) {
    target.replaceChildren(...pairs.filter((p) => p[1] !== null && p[1] !== undefined && p[1] !== "")
      .flatMap(([k, v]) => [el("span", { class: "k", text: k }), el("span", { class: "v", text: v })]));
  }
  function highlight(value) {
    const text = JSON.stringify(value, null, 2);
    return esc(text).replace(/(&quot;(?:\\.|[^\\&]|&(?!quot;))*?&quot;)(\s*:)?|\b(true|false)\b|\bnull\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g,
      (m, str, colon, bool) => {
        if (str) return colon ? `<span class="j-k">${str}</span>${colon}` : `<span class="j-s">${str}</span>`;
        if (bool) return `<span class="j-b">${m}</span>`;
        if (m === "null") return `<span class="j-z">${m}</span>`;
        return `<span class="j-n">${m}</span>`;
      });
  }
  function showBody(target, text, mode) {
    if (mode === "pretty") {
      try { target.innerHTML = highlight(JSON.parse(text)); return; } catch (e) { /* not JSON: show it raw */ }
    }
    target.textContent = text === "" ? "(empty)" : text;
  }
  const fmt = (v) => (typeof v === "string" ? v : JSON.stringify(v));
  function changesOf(d) {
    const p = d.payload;
    if (!p || typeof p !== "object") return [];
    const events = Array.isArray(p.events) ? p.events : [p];
    const out = [];
    for (const e of events) {
      if (!e || typeof e.changes !== "object" || e.changes === null) continue;
      for (const [field, c] of Object.entries(e.changes)) {
        out.push({ field: events.length > 1 ? `${e.event || ""} ${field}` : field, old: c && "old" in c ? c.old : undefined, new: c && "new" in c ? c.new : c });
      }
    }
    return out;
  }

  function renderDetail() {
    const d = detail;
    $("placeholder").hidden = true;
    $("view").hidden = false;
    const ev = eventLabel(d);
    const v = $("verdict");
    const good = ok(d) && !d.error;
    v.className = `verdict ${good ? (d.verified === null ? "warn" : "ok") : "bad"}`;
    const line = el("div", { class: "line" },
      el("span", { class: "mark", text: good ? "✔" : "✘" }),
      el("span", { text: d.status }),
      d.error ? el("span", { text: d.error }) : null,
      ev.name ? el("span", { class: `ev ${good ? typeClass(ev.type) : ""}`, text: ev.name }) : null);
    const verdictWord = d.verified === true ? "signature verified" : d.verified === false ? "signature not valid" : "signature not checked";
    const sub = [d.error_detail, verdictWord, ev.id, `${d.method} ${d.path}`, `${clock(d.received_at)}`, `${d.duration_ms} ms`].filter(Boolean).join(" · ");
    v.replaceChildren(line, el("div", { class: "sub", text: sub }));

    $("replay-url").placeholder = `replay to ${defaultTarget(d) || "a URL (this listener does not forward)"}`;
    $("replay-result").hidden = true;

    const body = decodeBody(d.body_base64);
    meta($("meta"), [["received", d.received_at], ["method", d.method], ["path", d.path], ["event id", ev.id],
      ["duplicate", d.duplicate ? "yes (answered Already processed)" : null], ["filtered", d.filtered ? "yes (not forwarded)" : null]]);
    const changes = changesOf(d);
    $("changes-box").hidden = changes.length === 0;
    $("changes").replaceChildren(...changes.map((c) => el("tr", {},
      el("td", { class: "field", text: c.field }),
      el("td", {}, c.old === undefined ? el("span", { class: "dim", text: "—" }) : el("span", { class: "old", text: fmt(c.old) }),
        el("span", { class: "arrow", text: "→" }), el("span", { class: "new", text: fmt(c.new) })))));
    showBody($("body"), body, bodyMode);
    $("body-size").textContent = `${size(new TextEncoder().encode(body).length)}${d.body_truncated ? " (cut at 1 MiB)" : ""}`;
    kvTable($("headers"), d.headers);

    meta($("answer-meta"), [["status", String(d.response.status)]]);
    showBody($("answer-body"), d.response.body, "pretty");
    kvTable($("answer-headers"), d.response.headers);

    const x = d.forward_exchange;
    $("tab-forward").replaceChildren("Forward", x ? el("span", { class: `tag`, text: x.status ?? "!" }) : null);
    $("forward-none").hidden = !!x;
    $("forward-view").hidden = !x;
    if (x) {
      meta($("forward-meta"), [["request", `POST ${x.request.url}`], ["status", x.status === null ? null : String(x.status)],
        ["error", x.error], ["took", `${x.duration_ms} ms`]]);
      kvTable($("forward-req-headers"), x.request.headers);
      showBody($("forward-body"), x.body, "pretty");
      kvTable($("forward-headers"), x.headers);
    }
  }

  function defaultTarget(d) {
    if (d && d.forward_exchange) return d.forward_exchange.request.url;
    if (d && config.routes.length) {
      const names = d.batch ? d.batch.map((b) => b.event) : [d.event];
      for (const r of config.routes) if (names.some((n) => n && matches(r.pattern, n))) return r.url;
    }
    return config.forward_to;
  }
  function matches(p, name) {
    if (p === "*") return true;
    if (p.endsWith(".*")) return name.startsWith(p.slice(0, -1));
    return p === name;
  }

  function showResult(target, res, label) {
    target.hidden = false;
    if (res.error && (res.status === null || res.status === undefined)) {
      target.className = "result bad";
      target.replaceChildren(el("b", { text: `${label}: ✘ ${res.error}` }), res.url ? el("span", { class: "dim", text: ` · ${res.url}` }) : null);
      return;
    }
    const good = res.status >= 200 && res.status < 300;
    target.className = `result ${good ? "ok" : "bad"}`;
    target.replaceChildren(
      el("b", { text: `${label}: ` }), el("span", { class: statusClass(res.status), text: res.status }),
      el("span", { class: "dim", text: ` ${res.duration_ms} ms · ${res.url || ""}` }),
      el("pre", { class: "code", text: res.body === "" ? "(empty answer)" : res.body }));
  }

  async function replay(to) {
    if (!detail) return;
    const target = (to ?? $("replay-url").value).trim();
    if (!target && !defaultTarget(detail)) {
      $("replay-url").focus();
      toast("Type a URL to replay to: this listener does not forward.");
      return;
    }
    const btn = $("replay");
    btn.disabled = true;
    try {
      const res = await api(`/api/requests/${encodeURIComponent(detail.id)}/replay`, { method: "POST", body: target ? { to: target } : {} });
      showResult($("replay-result"), res, "Replayed");
    } catch (e) {
      showResult($("replay-result"), { error: e.message }, "Replay refused");
    } finally {
      btn.disabled = false;
    }
  }

  // ---- edit and replay ----------------------------------------------------
  function editableHeaders(d) {
    return Object.entries(d.headers).filter(([k]) => !HOP.has(k.toLowerCase()));
  }
  function openEditor() {
    if (!detail) return;
    const d = detail;
    $("ed-url").value = $("replay-url").value.trim() || defaultTarget(d) || "";
    $("ed-url").placeholder = "http://localhost:4000/webhooks";
    $("ed-headers").value = editableHeaders(d).map(([k, v]) => `${k}: ${v}`).join("\n");
    $("ed-body").value = decodeBody(d.body_base64);
    $("ed-resign").checked = config.can_resign;
    $("ed-resign").disabled = !config.can_resign;
    $("ed-resign-note").hidden = config.can_resign;
    $("ed-result").hidden = true;
    $("editor").showModal();
    $("ed-body").focus();
  }
  async function sendEdited() {
    const d = detail;
    const headers = {};
    const kept = new Set();
    for (const raw of $("ed-headers").value.split("\n")) {
      const line = raw.trim();
      if (!line) continue;
      const at = line.indexOf(":");
      if (at < 1) { showResult($("ed-result"), { error: `"${line}" is not Name: value` }, "Not sent"); return; }
      const name = line.slice(0, at).trim().toLowerCase();
      headers[name] = line.slice(at + 1).trim();
      kept.add(name);
    }
    for (const [k] of editableHeaders(d)) if (!kept.has(k.toLowerCase())) headers[k] = null;
    const ask = { body: $("ed-body").value, headers, resign: $("ed-resign").checked };
    const to = $("ed-url").value.trim();
    if (to) ask.to = to;
    const btn = $("ed-send");
    btn.disabled = true;
    try {
      const res = await api(`/api/requests/${encodeURIComponent(d.id)}/replay`, { method: "POST", body: ask });
      showResult($("ed-result"), res, ask.resign ? "Sent, re-signed" : "Sent");
      showResult($("replay-result"), res, ask.resign ? "Edited and replayed, re-signed" : "Edited and replayed");
    } catch (e) {
      showResult($("ed-result"), { error: e.message }, "Not sent");
    } finally {
      btn.disabled = false;
    }
  }

  // ---- copy as curl -------------------------------------------------------
  const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
  function curlFor(d) {
    const url = (d.forward_exchange && d.forward_exchange.request.url) || new URL(d.path, config.listen_url).toString();
    const parts = [`curl -X POST ${quote(url)}`];
    for (const [k, v] of Object.entries(d.headers)) {
      if (HOP.has(k.toLowerCase()) || k.toLowerCase() === "user-agent") continue;
      parts.push(`-H ${quote(`${k}: ${v}`)}`);
    }
    parts.push(`--data-binary ${quote(decodeBody(d.body_base64))}`);
    return parts.join(" \\\n  ");
  }
  async function copyCurl() {
    if (!detail) return;
    const cmd = curlFor(detail);
    let copied = false;
    try { await navigator.clipboard.writeText(cmd); copied = true; } catch (e) {
      const t = el("textarea", {}, cmd);
      document.body.append(t);
      t.select();
      copied = document.execCommand("copy");
      t.remove();
    }
    const r = $("replay-result");
    r.hidden = false;
    r.className = "result";
    r.replaceChildren(el("b", { text: copied ? "Copied to the clipboard:" : "Copy this command:" }), el("pre", { class: "code", id: "curl-text", text: cmd }));
    toast(copied ? "curl command copied" : "select the command to copy it");
  }

  // ---- wiring -------------------------------------------------------------
  function move(step) {
    if (!rows.length) return;
    const at = rows.findIndex((r) => r.id === selected);
    const next = at < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, at + step));
    select(rows[next].id);
  }
  document.addEventListener("keydown", (e) => {
    if ($("editor").open || e.ctrlKey || e.metaKey || e.altKey) return;
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (typing) {
      if (e.key === "Escape") document.activeElement.blur();
      else if (e.key === "Enter" && document.activeElement.id === "replay-url") replay();
      return;
    }
    if (e.key === "ArrowDown" || e.key === "j") { move(1); e.preventDefault(); }
    else if (e.key === "ArrowUp" || e.key === "k") { move(-1); e.preventDefault(); }
    else if (e.key === "r") { replay(); e.preventDefault(); }
    else if (e.key === "e") { openEditor(); e.preventDefault(); }
    else if (e.key === "/") { $("f-q").focus(); e.preventDefault(); }
  });
  for (const id of ["f-event", "f-q"]) $(id).addEventListener("input", () => reloadSoon(250));
  for (const id of ["f-status", "f-verified"]) $(id).addEventListener("change", () => reloadSoon(0));
  $("replay").addEventListener("click", () => replay());
  $("edit").addEventListener("click", openEditor);
  $("curl").addEventListener("click", copyCurl);
  $("ed-send").addEventListener("click", sendEdited);
  $("clear").addEventListener("click", async () => {
    try {
      await api("/api/requests", { method: "DELETE" });
      rows = []; selected = null; detail = null;
      renderList();
      $("view").hidden = true; $("placeholder").hidden = false;
      toast("Cleared");
    } catch (e) { toast(e.message); }
  });
  for (const b of document.querySelectorAll("[data-body]")) {
    b.addEventListener("click", () => {
      bodyMode = b.dataset.body;
      for (const o of document.querySelectorAll("[data-body]")) o.classList.toggle("on", o === b);
      if (detail) showBody($("body"), decodeBody(detail.body_base64), bodyMode);
    });
  }
  for (const t of document.querySelectorAll(".tab")) {
    t.addEventListener("click", () => {
      tab = t.dataset.tab;
      for (const o of document.querySelectorAll(".tab")) o.classList.toggle("active", o === t);
      for (const p of document.querySelectorAll(".tabpane")) p.hidden = p.dataset.pane !== tab;
    });
  }

  $("listen-url").textContent = config.listen_url;
  if (config.forward_to) { $("forward-pill").hidden = false; $("forward-url").textContent = config.forward_to; }
  $("event-names").replaceChildren(...config.events.flatMap((n) => [el("option", { value: n }), el("option", { value: `${n.split(".")[0]}.*` })])
    .filter((o, i, all) => all.findIndex((x) => x.value === o.value) === i));
  $("empty-cmd").textContent = `scopien-hooks send-test ${config.listen_url} --secret "$SCOPIEN_WEBHOOK_SECRET"`;
  load().then(() => { if (rows.length && !selected) select(rows[0].id); });
  stats();
  setInterval(stats, 5000);
  connect();
})();
