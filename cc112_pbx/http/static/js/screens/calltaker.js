// The call taker's screen: their seat (login/logout, pause with a reason, ready), the screen pop
// pushed by the WebSocket when their seat rings (before they answer), the incident form and its
// timeline, their recent incidents and their callbacks. Keyboard: F2 ready, F3 pause, F4 save;
// F6-F9 tag the call prank, abusive, accidental, silent (issue 19, `call_tags.js`).
import { api } from "../api.js";
import { popRows, renderTags, TAG_KEYS, tagCall } from "../call_tags.js";
import { clear, debounce, h, options } from "../dom.js";
import { category, DIALLED_HINT, reason as reasonLabel, t, word } from "../i18n.js";
import { notices } from "../dispatch_api.js";
import { DispatchPanel } from "../dispatch_panel.js";
import { IncidentForm } from "../incident_form.js";
import { duration, stamp } from "../time.js";

const REASONS = ["break", "meal", "toilet", "training", "briefing", "other"];

export function mount(ctx, el) {
  const seatId = ctx.me.seat;
  const seatCard = h("div", { class: "card seat-card", id: "seat-card" });
  const popCard = h("div", { class: "card pop pop-idle", id: "pop", "aria-live": "assertive" });
  const recentCard = h("div", { class: "card", id: "recent" });
  const callbacksCard = h("div", { class: "card", id: "my-callbacks" });
  const tagsCard = h("div", { class: "card tags", id: "call-tags" });
  const formHolder = h("div", { class: "form-holder", id: "incident" });
  const keys = h("p", { class: "keys muted", id: "shortcuts" }, `${t("keys")}: `, h("kbd", {}, "F2"), ` ${t("seat.ready")} · `,
    h("kbd", {}, "F3"), ` ${t("seat.pause")} · `, h("kbd", {}, "F4"), ` ${t("form.save")} · `,
    Object.entries(TAG_KEYS).map(([key, name]) => [h("kbd", {}, key), ` ${t(`tag.${name}`)} `]));
  clear(el, h("div", { class: "ct-grid" },
    h("div", { class: "ct-side" }, seatCard, popCard, tagsCard, keys, recentCard, callbacksCard), formHolder));
  const panel = new DispatchPanel(ctx.me);
  const form = new IncidentForm(formHolder, { config: ctx.config, panel });
  const state = { seat: null, fetchedAt: 0, pop: null };
  const reason = h("select", { id: "pause-reason", "aria-label": t("seat.reason") },
                   options(REASONS.map((r) => [r, t(`reason.${r}`)]), "break"));

  async function act(action, body) {
    if (!seatId) return;
    const out = await api.post(`/api/seats/${seatId}/${action}`, body);
    await loadLive();
    return out;
  }
  const ready = async () => {
    if (!state.seat?.logged_in) await act("login");
    if (state.seat?.status === "paused") await act("unpause");
  };
  const pause = async () => {
    if (!state.seat?.logged_in) await act("login");
    await act("pause", { reason: reason.value });
  };

  function renderSeat() {
    const seat = state.seat;
    if (!seatId) return clear(seatCard, h("p", {}, t("seat.none")));
    const status = seat?.status || "logged_out";
    const since = seat?.state_s ?? null;
    clear(seatCard,
      h("h2", {}, `${t("seat.title")} ${seatId}`),
      h("div", { class: `big-state state-${status}`, id: "seat-state", "data-state": status },
        h("span", { class: "dot", "aria-hidden": "true" }), t(`state.${status}`)),
      h("p", { class: "muted", id: "seat-since" }, seat?.pause_reason ? `${reasonLabel(seat.pause_reason)} · ` : "",
        since !== null ? `${t("seat.in_state")} ${duration(since + (Date.now() - state.fetchedAt) / 1000)}` : ""),
      h("div", { class: "buttons" },
        h("button", { type: "button", class: "primary", id: "btn-ready", onclick: ready }, t("seat.ready"), " ", h("kbd", {}, "F2")),
        h("span", { class: "pause-group" }, reason,
          h("button", { type: "button", id: "btn-pause", onclick: pause }, t("seat.pause"), " ", h("kbd", {}, "F3"))),
        seat?.logged_in ? h("button", { type: "button", id: "btn-logout", onclick: () => act("logout") }, t("seat.logout"))
          : h("button", { type: "button", id: "btn-login", onclick: () => act("login") }, t("seat.login"))));
  }

  function renderPop() {
    const pop = state.pop;
    if (!pop) {
      popCard.className = "card pop pop-idle";
      clear(popCard, h("p", { class: "muted" }, t("pop.idle")));
      return renderTags(tagsCard, null, tag);
    }
    renderTags(tagsCard, pop, tag);
    popCard.className = `card pop pop-${pop.phase}${pop.no_callback ? " pop-nocallback" : ""}`;
    const hint = pop.category_hint || DIALLED_HINT[pop.dialled];
    clear(popCard,
      h("div", { class: "pop-phase", id: "pop-phase" }, t(`pop.${pop.phase}`),
        pop.phase === "connected" && pop.connectedAt ? ` · ${duration((Date.now() - pop.connectedAt) / 1000)}` : ""),
      pop.callback_leg ? h("div", { class: "flag flag-callback" }, t("pop.callback_leg")) : null,
      h("div", { class: "pop-caller", id: "pop-caller" },
        pop.no_callback || !pop.caller ? h("span", { class: "no-callback" }, "⚠ ", t("pop.no_callback")) : pop.caller),
      h("dl", {},
        h("dt", {}, t("pop.hint")), h("dd", { id: "pop-hint" }, hint ? category(hint) : t("none")),
        h("dt", {}, t("pop.dialled")), h("dd", {}, pop.dialled || t("none")),
        pop.incident_id ? [h("dt", {}, t("pop.incident")), h("dd", {}, h("a", { href: "#", id: "pop-incident",
          onclick: (e) => { e.preventDefault(); openIncident(pop.incident_id); } }, `#${pop.incident_id}`))] : null,
        pop.repeat_of ? [h("dt", {}, t("pop.repeat")), h("dd", {}, h("a", { href: "#", class: "flag flag-repeat", id: "pop-repeat",
          onclick: (e) => { e.preventDefault(); openIncident(pop.repeat_of); } }, `#${pop.repeat_of}`))] : null,
        popRows(pop)));
  }

  async function tag(name) {  // one key press: the call on the pop (ringing, connected or just ended)
    const pop = state.pop;
    if (!pop?.call_id) return renderTags(tagsCard, pop, tag, t("tag.nothing"));
    try {
      const out = await tagCall(pop, name);
      if (state.pop?.call_id !== pop.call_id) return;
      state.pop = { ...state.pop, tags: out.tags, prank_flag: out.prank_flag || state.pop.prank_flag };
      renderPop();
    } catch (exc) {
      renderTags(tagsCard, pop, tag, exc.message);
    }
  }

  async function openIncident(id) {
    if (!id) return;
    localStorage.setItem("cc112.current_incident", String(id));
    await form.open(id);
  }

  let liveAsked = 0;
  async function loadLive() {
    const asked = ++liveAsked;
    const askedAt = Date.now();
    const live = await api.get("/api/live");
    if (asked !== liveAsked) return;  // a newer look is on its way: an older answer must not undo a pop
    state.seat = live.seats.find((s) => s.seat === seatId) || null;
    state.fetchedAt = Date.now();
    const mine = [...live.ringing.map((c) => ({ ...c, phase: "ringing" })),
                  ...live.connected.map((c) => ({ ...c, phase: "connected",
                                                  connectedAt: Date.now() - (c.talking_s || 0) * 1000 }))]
      .find((c) => c.seat === seatId);
    if (mine) {
      state.pop = { ...(state.pop?.call_id === mine.call_id ? state.pop : {}), ...mine };
      if (!state.pop.tags && mine.phase === "connected") {  // after a reload: the call's tags so far
        const pop = state.pop;
        const known = await api.get(`/api/calls/${encodeURIComponent(mine.call_id)}/tags`).catch(() => null);
        if (known) pop.tags = known.tags.map((x) => x.tag);
      }
    } else if (state.pop && state.pop.phase !== "ended" && (state.popAt || 0) < askedAt) {
      // not on the seat any more; but a pop pushed after this look was asked for is newer than its answer
      state.pop = { ...state.pop, phase: "ended" };
    }
    renderSeat();
    renderPop();
  }

  async function loadLists() {
    const [recent, callbacks] = await Promise.all([api.get("/api/incidents?limit=8"), api.get("/api/callbacks?limit=20")]);
    clear(recentCard, h("h3", {}, t("form.recent")), recent.items.length ? h("ul", { class: "recent" },
      recent.items.map((i) => h("li", {}, h("a", { href: "#", onclick: (e) => { e.preventDefault(); openIncident(i.id); } },
        `#${i.id}`), ` ${stamp(i.opened_at)} · ${word(i.status)} · ${i.caller_number || "—"}`))) : h("p", { class: "muted" }, "—"));
    clear(callbacksCard, h("h3", {}, t("callbacks.title")), callbacks.length ? h("table", {},
      h("thead", {}, h("tr", {}, ["col.incident", "col.number", "col.reason", "col.status", "col.due", "col.attempts"]
        .map((k) => h("th", {}, t(k))))),
      h("tbody", {}, callbacks.map((c) => h("tr", {}, h("td", {}, `#${c.incident_id}`), h("td", {}, c.number || "—"),
        h("td", {}, word(c.reason)), h("td", {}, word(c.status)), h("td", {}, stamp(c.due_at)), h("td", {}, c.attempts)))))
      : h("p", { class: "muted" }, t("callbacks.empty")));
  }
  const lists = debounce(() => loadLists().catch(() => {}), 400);
  const live = debounce(() => loadLive().catch(() => {}), 150);

  function onNotice(n) {
    const dispatch = notices.dispatch(n);
    if (dispatch) panel.onDispatch(dispatch);
    if (notices.overdue(n)) panel.onOverdue(notices.overdue(n));
    const mine = n.seat === seatId;
    if (["seat_ringing", "call_connected"].includes(n.kind) && mine) state.popAt = Date.now();
    if (n.kind === "seat_ringing" && mine) {
      state.pop = { ...n, phase: "ringing" };
      renderPop();
      if (n.incident_id) openIncident(n.incident_id);
    } else if (n.kind === "call_connected" && mine) {
      state.pop = { ...(state.pop?.call_id === n.call_id ? state.pop : {}), ...n, phase: "connected", connectedAt: Date.now() };
      renderPop();
      if (n.incident_id && (form.pendingId === n.incident_id || form.id !== n.incident_id)) openIncident(n.incident_id);
    } else if (n.kind === "call_ended" && state.pop?.call_id === n.call_id) {
      state.pop = { ...state.pop, phase: "ended" };
      renderPop();
      lists();
    }
    if (n.kind === "incident_opened" && state.pop?.call_id === n.call_id) {  // written just after the ring
      state.pop = { ...state.pop, incident_id: n.incident_id };
      renderPop();
      openIncident(n.incident_id).catch(() => {});
    }
    if (n.kind === "seat_state" && mine) live();
    if (n.kind === "aml_location" && n.location && state.pop && (state.pop.call_id === n.call_id
        || (n.incident_id && state.pop.incident_id === n.incident_id))) {
      state.pop = { ...state.pop, location: n.location };
      renderPop();
    }
    if (form.id && n.incident_id === form.id && ["call_connected", "call_ended", "aml_location"].includes(n.kind)) {
      setTimeout(() => form.refresh().catch(() => {}), 300);
    }
  }

  function onKey(event) {
    if (event.key === "F2") { event.preventDefault(); ready(); }
    else if (event.key === "F3") { event.preventDefault(); pause(); }
    else if (TAG_KEYS[event.key]) { event.preventDefault(); tag(TAG_KEYS[event.key]); }
    else if (event.key === "F4" || (event.ctrlKey && event.key.toLowerCase() === "s")) {
      event.preventDefault();
      form.save.cancel();
      form.saveNow();
    }
  }
  document.addEventListener("keydown", onKey);
  const ticker = setInterval(() => { renderSeatClock(); if (state.pop?.phase === "connected") renderPopClock(); }, 1000);
  function renderSeatClock() {
    const since = el.querySelector("#seat-since");
    if (since && state.seat?.state_s != null) {
      since.textContent = `${state.seat.pause_reason ? `${reasonLabel(state.seat.pause_reason)} · ` : ""}${t("seat.in_state")} ${duration(state.seat.state_s + (Date.now() - state.fetchedAt) / 1000)}`;
    }
  }
  function renderPopClock() {
    const phase = el.querySelector("#pop-phase");
    if (phase) phase.textContent = `${t("pop.connected")} · ${duration((Date.now() - state.pop.connectedAt) / 1000)}`;
  }

  renderSeat();
  renderPop();
  return {
    async refresh() {
      await loadLive();
      const current = state.pop?.incident_id || Number(localStorage.getItem("cc112.current_incident")) || null;
      await Promise.all([loadLists(), form.id || form.pendingId ? form.refresh() : (current ? openIncident(current).catch(() => {}) : null)]);
    },
    onNotice,
    unmount() { document.removeEventListener("keydown", onKey); clearInterval(ticker); form.save.flush(); },
  };
}
