// Incidents: search with filters (time window in the centre's zone, status, category, seat,
// verification), paged; one incident's details, timeline, calls and recordings, played in the
// browser: the audio is fetched with the bearer token as a Blob (an <audio> element cannot send the
// Authorization header), then played and sought locally.
import { api } from "../api.js";
import { clear, h, options } from "../dom.js";
import { CATEGORIES, category, t, word } from "../i18n.js";
import { notices } from "../dispatch_api.js";
import { DispatchPanel } from "../dispatch_panel.js";
import { IncidentForm } from "../incident_form.js";
import { dayStart, duration, stamp } from "../time.js";

const STATUSES = ["new", "in_progress", "verified", "dispatched", "resolved", "closed", "cancelled"];
const VERIFICATIONS = ["unverified", "verified", "false_report", "prank", "ghost"];
const PAGE = 25;

export function mount(ctx, el) {
  const f = {
    from: h("input", { id: "if-from", type: "date" }), to: h("input", { id: "if-to", type: "date" }),
    status: h("select", { id: "if-status" }, options([["", t("inc.any")], ...STATUSES.map((s) => [s, word(s)])])),
    category: h("select", { id: "if-category" }, options([["", t("inc.any")], ...Object.keys(CATEGORIES.id).map((c) => [c, category(c)])])),
    seat: h("input", { id: "if-seat", size: 8, disabled: ctx.me.role === "call_taker" }),
    verification: h("select", { id: "if-verification" }, options([["", t("inc.any")], ...VERIFICATIONS.map((v) => [v, word(v)])])),
  };
  const labels = { from: "inc.from", to: "inc.to", status: "col.status", category: "col.category", seat: "col.seat",
                   verification: "col.verification" };
  const form = h("form", { class: "card filters", id: "incident-filters" },
    ...Object.entries(f).map(([n, c]) => h("div", {}, h("label", { for: c.id }, t(labels[n])), c)),
    h("button", { type: "submit", class: "primary" }, t("inc.search")), h("span", { class: "error", id: "if-error" }));
  const results = h("div", { class: "card", id: "incident-results" });
  const detail = h("div", { id: "incident-detail" });
  clear(el, form, h("div", { class: "split" }, results, detail));
  let offset = 0;
  let selected = null;
  const panel = new DispatchPanel(ctx.me);
  const audioUrls = [];
  form.addEventListener("submit", (e) => { e.preventDefault(); offset = 0; search(); });

  async function search() {
    const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (f.from.value) q.set("from", dayStart(f.from.value));
    if (f.to.value) q.set("to", dayStart(nextDay(f.to.value)));
    for (const n of ["status", "category", "verification"]) if (f[n].value) q.set(n, f[n].value);
    if (f.seat.value.trim()) q.set("seat", f.seat.value.trim());
    el.querySelector("#if-error").textContent = "";
    let page;
    try { page = await api.get(`/api/incidents?${q}`); } catch (exc) { el.querySelector("#if-error").textContent = exc.message; return; }
    clear(results, h("p", { class: "muted" }, `${page.total} ${t("inc.total")}`), page.items.length ? h("table", { id: "incident-table" },
      h("thead", {}, h("tr", {}, ["col.incident", "col.opened", "col.status", "col.category", "col.priority", "col.caller"].map((k) => h("th", {}, t(k))))),
      h("tbody", {}, page.items.map((i) => h("tr", { "data-incident": i.id, class: i.id === selected ? "selected" : "" },
        h("td", {}, h("a", { href: "#", onclick: (e) => { e.preventDefault(); show(i.id); } }, `#${i.id}`)),
        h("td", {}, stamp(i.opened_at)), h("td", {}, word(i.status)), h("td", {}, category(i.category || i.category_hint)),
        h("td", {}, i.priority ?? "—"), h("td", {}, i.caller_number || t("flag.no_callback"))))))
      : h("p", { class: "muted" }, t("inc.none")),
      h("div", { class: "inline" },
        h("button", { type: "button", class: "small", disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE); search(); } }, t("inc.prev")),
        h("button", { type: "button", class: "small", disabled: offset + PAGE >= page.total, onclick: () => { offset += PAGE; search(); } }, t("inc.next"))));
  }

  async function show(id) {
    selected = id;
    for (const row of results.querySelectorAll("tr[data-incident]")) row.classList.toggle("selected", Number(row.dataset.incident) === id);
    const holder = h("div", {});
    const extra = h("div", { class: "card", id: "incident-media" });
    clear(detail, holder, extra);
    const form = new IncidentForm(holder, { config: ctx.config, compact: true, panel });
    await form.open(id);
    const full = form.full;
    if (!full) return;
    clear(extra,
      h("h3", {}, t("inc.calls")), h("ul", {}, full.calls.map((c) => h("li", {},
        `${stamp(c.arrived_at)} · ${word(c.direction)} · ${c.caller_number || "—"} · ${c.seat_id || "—"} · ${word(c.outcome)}`))),
      h("h3", {}, t("inc.recordings")), full.recordings.length ? h("ul", { id: "recordings" }, full.recordings.map((r) => {
        const slot = h("span", {});
        return h("li", {}, `${stamp(r.started_at)} · ${r.seat_id || "—"} · ${duration(r.duration_s)} `,
          h("button", { type: "button", class: "small", "data-recording": r.id, onclick: () => play(r, slot) }, `▶ ${t("inc.play")}`), slot);
      })) : h("p", { class: "muted" }, "—"));
  }

  async function play(recording, slot) {
    const response = await api.raw(recording.audio_url || `/api/recordings/${recording.id}/audio`);
    const url = URL.createObjectURL(await response.blob());
    audioUrls.push(url);
    const audio = h("audio", { controls: true, src: url, class: "player" });
    clear(slot, audio);
    audio.play().catch(() => {});
  }

  return {
    async refresh() { await search(); if (selected) await show(selected); },
    onNotice(n) {
      const dispatch = notices.dispatch(n);
      if (dispatch) panel.onDispatch(dispatch);
      if (notices.overdue(n)) panel.onOverdue(notices.overdue(n));
    },
    unmount() { for (const url of audioUrls) URL.revokeObjectURL(url); },
  };
}

function nextDay(dateText) {
  const d = new Date(`${dateText}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
