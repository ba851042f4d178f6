// The supervisor's wallboard: calls waiting (live wait timers, flags), calls in progress, seats with
// their state and time in it, counts from `/metrics`, service level today and in the last hour
// (`/api/service-level`), callbacks by outcome and the no-callback list.
import { api, parseMetrics } from "../api.js";
import { clear, debounce, h } from "../dom.js";
import { category, DIALLED_HINT, reason, t, word } from "../i18n.js";
import { duration, isoWithOffset, stamp, startOfToday } from "../time.js";

const LONG_WAIT_S = 20;
const STATES = ["available", "offered", "on_call", "wrap_up", "paused", "unreachable", "logged_out"];

export function mount(ctx, el) {
  const tiles = h("div", { class: "tiles", id: "tiles" });
  const waitingCard = h("div", { class: "card", id: "waiting" });
  const callsCard = h("div", { class: "card", id: "in-calls" });
  const seatsCard = h("div", { class: "card", id: "seats" });
  const slCard = h("div", { class: "card", id: "service-level" });
  const noCallbackCard = h("div", { class: "card", id: "no-callback" });
  const callbacksCard = h("div", { class: "card", id: "open-callbacks" });
  clear(el, tiles, h("div", { class: "wb-grid" }, h("div", {}, waitingCard, callsCard, slCard),
                     h("div", {}, seatsCard, callbacksCard, noCallbackCard)));
  const state = { live: null, fetchedAt: 0, metrics: {} };
  const since = (seconds) => (seconds === null || seconds === undefined ? null
    : seconds + (Date.now() - state.fetchedAt) / 1000);

  function flags(c) {
    return [c.no_callback ? h("span", { class: "flag flag-no_callback" }, t("flag.no_callback")) : null,
            c.repeat_of ? h("span", { class: "flag flag-repeat" }, `${t("flag.repeat")} #${c.repeat_of}`) : null,
            c.callback_leg ? h("span", { class: "flag flag-callback" }, t("flag.callback")) : null,
            // issue 19: a repeat prank number (still answered), a handset position received
            c.prank_flag ? h("span", { class: "flag flag-prank", "data-pranks": c.prank_flag.pranks },
              `${t("flag.prank")} ×${c.prank_flag.pranks}`) : null,
            c.location ? h("span", { class: "flag flag-aml", title: `± ${Math.round(c.location.accuracy_m)} m` }, "AML") : null];
  }
  const hint = (c) => category(c.category_hint || DIALLED_HINT[c.dialled]);

  function renderLive() {
    const live = state.live;
    const m = state.metrics;
    const tile = (id, label, value, alert) => h("div", { class: `tile${alert ? " alert" : ""}`, id: `tile-${id}` },
      h("div", { class: "n", "data-value": value }, value), h("div", { class: "l" }, t(label)));
    const longest = since(live.longest_wait_s) || 0;
    clear(tiles,
      tile("waiting", "wb.waiting", live.waiting.length, live.waiting.length > 0),
      h("div", { class: `tile${longest > LONG_WAIT_S ? " alert" : ""}`, id: "tile-longest" },
        h("div", { class: "n wait", id: "longest" }, live.waiting.length ? duration(longest) : "—"), h("div", { class: "l" }, t("wb.longest"))),
      tile("ringing", "wb.ringing", live.ringing.length),
      tile("connected", "wb.connected", live.connected.length),
      tile("answered", "wb.answered", m.cc112_calls_answered_total ?? "—"),
      tile("abandoned", "wb.abandoned", m.cc112_calls_abandoned_total ?? "—"));
    clear(waitingCard, h("h2", {}, `${t("wb.calls_waiting")} (${live.waiting.length})`), live.waiting.length
      ? h("table", { id: "waiting-table" }, h("thead", {}, h("tr", {}, ["col.pos", "col.caller", "col.flags", "col.hint", "col.wait"].map((k) => h("th", {}, t(k))))),
          h("tbody", {}, live.waiting.map((c) => h("tr", { "data-call": c.call_id },
            h("td", {}, c.position ?? ""), h("td", {}, c.caller || h("em", {}, t("flag.no_callback"))),
            h("td", {}, flags(c)), h("td", {}, hint(c)),
            h("td", { class: "wait", "data-waiting": c.waiting_s }, duration(since(c.waiting_s)))))))
      : h("p", { class: "muted", id: "none-waiting" }, t("wb.none_waiting")));
    const inCalls = [...live.ringing.map((c) => ({ ...c, phase: "offered" })), ...live.connected.map((c) => ({ ...c, phase: "on_call" }))];
    clear(callsCard, h("h2", {}, `${t("wb.in_calls")} (${inCalls.length})`), inCalls.length ? h("table", {},
      h("thead", {}, h("tr", {}, ["col.seat", "col.state", "col.caller", "col.flags", "col.incident", "col.wait", "col.talk"].map((k) => h("th", {}, t(k))))),
      h("tbody", {}, inCalls.map((c) => h("tr", {}, h("td", {}, c.seat), h("td", {}, chip(c.phase)),
        h("td", {}, c.caller || t("flag.no_callback")), h("td", {}, flags(c)), h("td", {}, c.incident_id ? `#${c.incident_id}` : "—"),
        h("td", {}, duration(c.waiting_s)), h("td", { class: "talk", "data-talking": c.talking_s ?? "" }, duration(since(c.talking_s)))))))
      : h("p", { class: "muted" }, "—"));
    const counts = Object.fromEntries(STATES.map((s) => [s, live.seats.filter((x) => x.status === s).length]));
    clear(seatsCard, h("h2", {}, `${t("wb.seats")} (${live.seats.length})`),
      h("p", { class: "seat-counts", id: "seat-counts" }, STATES.filter((s) => counts[s]).map((s) =>
        h("span", { class: `chip state-${s}`, "data-state": s, "data-count": counts[s] }, `${t(`state.${s}`)} ${counts[s]}`)).flatMap((x) => [x, " "])),
      h("table", { id: "seats-table" }, h("thead", {}, h("tr", {}, ["col.seat", "col.state", "col.in_state", "col.pause", "col.answered", "col.missed"].map((k) => h("th", {}, t(k))))),
        h("tbody", {}, live.seats.map((s) => h("tr", { "data-seat": s.seat },
          h("td", {}, s.seat, s.overflow ? " ⓞ" : ""), h("td", {}, chip(s.status)),
          h("td", { class: "in-state", "data-since": s.state_s ?? "" }, duration(since(s.state_s))),
          h("td", {}, s.pause_reason ? reason(s.pause_reason) : (s.unreachable_reason || "")),
          h("td", {}, s.answered), h("td", {}, s.missed_in_a_row))))));
  }

  function chip(status) { return h("span", { class: `chip state-${status}` }, t(`state.${status}`)); }

  function tick() {
    if (!state.live) return;
    for (const cell of el.querySelectorAll("td.wait[data-waiting]")) cell.textContent = duration(since(Number(cell.dataset.waiting)));
    for (const cell of el.querySelectorAll("td.in-state[data-since]")) if (cell.dataset.since !== "") cell.textContent = duration(since(Number(cell.dataset.since)));
    for (const cell of el.querySelectorAll("td.talk[data-talking]")) if (cell.dataset.talking !== "") cell.textContent = duration(since(Number(cell.dataset.talking)));
    const longest = el.querySelector("#longest");
    if (longest && state.live.waiting.length) longest.textContent = duration(since(state.live.longest_wait_s));
  }

  async function loadLive() {
    const [live, metrics] = await Promise.all([api.get("/api/live"), api.raw("/metrics").then((r) => r.text())]);
    state.live = live;
    state.metrics = parseMetrics(metrics);
    state.fetchedAt = Date.now();
    renderLive();
  }

  async function loadReports() {
    const now = new Date();
    const hourAgo = new Date(now.getTime() - 3600 * 1000);
    const q = (from) => `/api/service-level?from=${encodeURIComponent(from)}&to=${encodeURIComponent(isoWithOffset(now))}`;
    const [today, hour, noCallback, open] = await Promise.all([
      api.get(q(startOfToday(now))), api.get(q(isoWithOffset(hourAgo))), api.get("/api/no-callback?limit=50"),
      api.get("/api/callbacks?status=pending,in_progress,exhausted&limit=50")]);
    renderCallbacks(open);
    const pct = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 100)}%`);
    const row = (id, label, s) => h("tr", { id }, h("th", {}, t(label)), h("td", { class: "calls" }, s.calls),
      ...["10s", "15s", "20s"].map((k) => h("td", { "data-within": k }, `${s.answered_within[k]} (${pct(s.service_level[k])})`)),
      h("td", { class: "abandoned" }, s.abandoned), h("td", { class: "dropped" }, s.dropped ?? 0));
    const outcomes = Object.entries(today.callbacks_by_outcome || {});
    clear(slCard, h("h2", {}, t("wb.sl")),
      h("table", { id: "sl-table" }, h("thead", {}, h("tr", {}, h("th", {}), h("th", {}, t("wb.calls")),
          ...["10", "15", "20"].map((s) => h("th", {}, `${t("wb.within")} ${s} s`)), h("th", {}, t("wb.abandoned_w")), h("th", {}, t("wb.dropped")))),
        h("tbody", {}, row("sl-today", "wb.today", today), row("sl-hour", "wb.hour", hour))),
      h("h3", {}, t("wb.callbacks")),
      h("p", { id: "callback-outcomes" }, outcomes.length ? outcomes.map(([k, v]) => `${word(k)}: ${v}`).join(" · ") : "—"));
    clear(noCallbackCard, h("h2", {}, t("wb.no_callback")), noCallback.length ? h("table", { id: "no-callback-table" },
      h("thead", {}, h("tr", {}, ["col.incident", "col.reason", "col.status", "col.opened", "col.detail"].map((k) => h("th", {}, t(k))))),
      h("tbody", {}, noCallback.map((c) => h("tr", {}, h("td", {}, `#${c.incident_id}`), h("td", {}, word(c.reason)),
        h("td", {}, word(c.status)), h("td", {}, stamp(c.created_at)), h("td", {}, c.detail || "")))))
      : h("p", { class: "muted" }, t("wb.no_callback_empty")));
  }

  function renderCallbacks(open) {
    const act = async (c, action) => {
      try { await api.post(`/api/callbacks/${c.id}/${action}`, action === "cancel" ? { reason: "supervisor" } : {}); }
      catch (exc) { callbacksCard.querySelector(".error").textContent = exc.message; return; }
      reports();
    };
    clear(callbacksCard, h("h2", {}, `${t("callbacks.open")} (${open.length})`), h("p", { class: "error", role: "alert" }),
      open.length ? h("table", { id: "callbacks-table" },
        h("thead", {}, h("tr", {}, ["col.incident", "col.number", "col.reason", "col.status", "col.due", "col.attempts", ""].map((k) => h("th", {}, k ? t(k) : "")))),
        h("tbody", {}, open.map((c) => h("tr", { "data-callback": c.id }, h("td", {}, `#${c.incident_id}`), h("td", {}, c.number || "—"),
          h("td", {}, word(c.reason)), h("td", {}, word(c.status)), h("td", {}, stamp(c.due_at)), h("td", {}, c.attempts),
          h("td", { class: "inline" },
            h("button", { type: "button", class: "small", onclick: () => act(c, "retry") }, t("callbacks.retry")),
            c.status !== "exhausted" ? h("button", { type: "button", class: "small", onclick: () => act(c, "cancel") }, t("callbacks.cancel")) : null)))))
        : h("p", { class: "muted" }, t("callbacks.empty")));
  }

  const live = debounce(() => loadLive().catch(() => {}), 150);
  const reports = debounce(() => loadReports().catch(() => {}), 1000);
  const ticker = setInterval(tick, 1000);
  const slow = setInterval(() => { if (ctx.isLive()) { live(); reports(); } }, 15000);
  return {
    async refresh() { await Promise.all([loadLive(), loadReports()]); },
    onNotice(n) {
      live();
      if (["call_ended", "call_connected"].includes(n.kind)) reports();
    },
    unmount() { clearInterval(ticker); clearInterval(slow); live.cancel(); reports.cancel(); },
  };
}
