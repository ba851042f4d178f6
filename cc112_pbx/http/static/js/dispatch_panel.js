// The dispatch panel under the incident form (issue 17): the agencies suggested by the category, the
// officers ranked by ETA ("estimate" when it is a straight-line guess; the agency assigns one), new
// dispatches (agency, instructions, priority; as many as the incident needs), their statuses and ETA, "reporter informed", a
// callback to inform the reporter, and closing (refused while a dispatch is open; a supervisor may
// override). Everything is decided by the API; the panel shows its answers and its messages.
import { ApiError } from "./api.js";
import { dispatchApi, latest, said } from "./dispatch_api.js";
import { clear, h, options } from "./dom.js";
import { t, word } from "./i18n.js";
import { OPEN_DISPATCH } from "./live_map.js";
import { duration, stamp } from "./time.js";

const OVERRIDERS = ["supervisor", "admin"];

export class DispatchPanel {
  constructor(me) {
    this.me = me;
    this.el = h("div", { class: "card dispatch-panel", id: "dispatch-panel" });
    this.incident = null;
    this.dispatches = [];
    this.suggested = { agencies: [], officers: [] };
    this.agencies = [];
  }

  // called by the incident form whenever it shows an incident (fresh or updated): a new incident, a new
  // category or an open/closed change redraws the panel; otherwise only the dispatch list (never the
  // form under the operator's fingers)
  async show(incident) {
    const old = this.incident;
    this.incident = incident;
    const isOpen = (i) => !["closed", "cancelled"].includes(i.status);
    if (!old || old.id !== incident.id) { this.closeRefused = null; this.message = null; }
    if (!old || old.id !== incident.id || old.category !== incident.category || isOpen(old) !== isOpen(incident)) {
      await this.load();
    } else {
      const dispatches = await dispatchApi.forIncident(incident.id);
      if (this.incident?.id !== incident.id) return;
      this.dispatches = dispatches.items || dispatches;
      this.renderList();
    }
  }

  async load() {
    const id = this.incident.id;
    const [dispatches, suggested, agencies] = await Promise.all([
      dispatchApi.forIncident(id).catch(() => []),
      dispatchApi.suggestions(id).catch(() => ({ agencies: [], officers: [] })),
      this.agencies.length ? this.agencies : dispatchApi.agencies().catch(() => [])]);
    if (this.incident?.id !== id) return;
    this.dispatches = dispatches.items || dispatches;
    this.suggested = suggested;
    this.agencies = agencies.items || agencies;
    this.render();
  }

  onOverdue(overdue) {
    const shown = this.dispatches.find((d) => d.id === overdue.id);
    if (shown) { shown.overdue = true; this.renderList(); }
  }

  onDispatch(dispatch) {
    if (!this.incident || dispatch.incident_id !== this.incident.id) return;
    const i = this.dispatches.findIndex((d) => d.id === dispatch.id);
    if (i >= 0) this.dispatches[i] = latest(this.dispatches[i], dispatch); else this.dispatches.push(dispatch);
    this.renderList();
  }

  render() {
    const inc = this.incident;
    const open = !["closed", "cancelled"].includes(inc.status);
    this.listEl = h("div", { id: "dispatch-list" });
    this.messageEl = h("p", { class: "notice", id: "dispatch-message", role: "status" });
    clear(this.el, h("h3", {}, t("dp.title")), this.listEl,
      open ? this.form() : null,
      h("div", { class: "actions dispatch-actions" },
        h("button", { type: "button", id: "reporter-informed", onclick: () => this.informed() }, t("dp.informed")),
        h("button", { type: "button", id: "inform-callback", onclick: () => this.informCallback() }, t("dp.inform_callback")),
        open ? h("button", { type: "button", id: "close-incident", class: "primary", onclick: () => this.close(false) }, t("dp.close")) : null,
        open && this.closeRefused && OVERRIDERS.includes(this.me.role)
          ? h("button", { type: "button", id: "close-override", class: "danger", onclick: () => this.close(true) }, t("dp.override")) : null),
      this.messageEl);
    this.renderList();
    this.say(this.message);
  }

  renderList() {
    if (!this.listEl) return;
    clear(this.listEl, this.dispatches.length ? h("table", { id: "dispatch-table", class: "dispatch-table" },
      h("thead", {}, h("tr", {}, ["dp.agency", "col.status", ""].map((k) => h("th", {}, k ? t(k) : "")))),
      h("tbody", {}, this.dispatches.map((d) => h("tr", { "data-dispatch": d.id, class: OPEN_DISPATCH.includes(d.status) ? "" : "muted" },
        h("td", {},
          h("div", {}, h("strong", {}, d.agency_name || this.agencyName(d.agency_id)), " ",
            d.priority ? h("span", { class: `prio prio-${d.priority}` }, d.priority) : null,
            d.overdue ? h("span", { class: "flag flag-no_callback" }, t("dp.overdue")) : null),
          h("div", { class: "muted" }, `#${d.id} · ${stamp(d.created_at)}`),
          d.officer_id ? h("div", {}, `${t("lm.officer")}: ${d.officer_name || `#${d.officer_id}`}`,
            d.eta_s != null ? ` · ${eta({ eta_s: d.eta_s, estimate: d.eta_estimate })}` : "",
            d.status === "assigned" && d.acknowledged_at ? h("span", { class: "acknowledged" }, ` · ✓ ${t("of.acknowledged")}`) : null) : null,
          d.instructions ? h("div", { class: "muted" }, d.instructions) : null),
        h("td", {}, h("span", { class: `status-chip dstatus-${d.status}` }, word(d.status)),
          d.reason ? h("div", { class: "muted" }, d.reason) : null, d.report ? h("div", { class: "report-text" }, d.report) : null,
          d.has_photo ? h("button", { type: "button", class: "small", "data-photo": d.id, onclick: (e) => this.photo(d, e.target) },
            `📷 ${t("dp.photo")}`) : null),
        h("td", {}, (d.allowed_transitions || []).includes("cancelled") ? h("button", { type: "button", class: "small",
          "data-action": "cancel", onclick: () => this.cancel(d) }, t("dp.cancel")) : null)))))
      : h("p", { class: "muted", id: "no-dispatches" }, t("dp.none")));
  }

  // the report's photo, fetched with the token (an <img src> cannot send it) and shown in place
  async photo(dispatch, button) {
    try {
      const response = await dispatchApi.photoOf(dispatch.id);
      const img = h("img", { class: "report-photo", alt: `${t("dp.photo")} #${dispatch.id}`,
                             src: URL.createObjectURL(await response.blob()) });
      img.addEventListener("load", () => URL.revokeObjectURL(img.src), { once: true });
      button.replaceWith(img);
    } catch (exc) { this.say(said(exc), true); }
  }

  agencyName(id) { return this.agencies.find((a) => a.id === id)?.name || (id ? `#${id}` : "—"); }

  form() {
    const suggestedIds = (this.suggested.agencies || []).map((a) => a.id ?? a.agency_id);
    const agencies = [...this.agencies].sort((a, b) => rank(suggestedIds, a.id) - rank(suggestedIds, b.id));
    const agency = h("select", { id: "dp-agency", name: "agency_id" }, options([["", "—"], ...agencies.map((a) =>
      [a.id, `${suggestedIds.includes(a.id) ? "★ " : ""}${a.name}`])], suggestedIds[0] ?? ""));
    const instructions = h("textarea", { id: "dp-instructions", name: "instructions", rows: 2 });
    const priority = h("select", { id: "dp-priority", name: "priority" },
      options(["1", "2", "3", "4", "5"].map((p) => [p, word(p)]), String(this.incident.priority || 3)));
    const officersEl = h("ol", { class: "suggested-officers", id: "suggested-officers" });
    const fillOfficers = () => {
      const ranked = (this.suggested.officers || []).filter((o) => !agency.value || String(o.agency_id) === agency.value);
      clear(officersEl, ranked.length ? ranked.map((o) => h("li", { "data-officer": o.officer_id ?? o.id },
        h("strong", {}, o.callsign ? `${o.callsign} · ${o.name}` : o.name), ` · ${this.agencyName(o.agency_id)} · `,
        h("span", { class: "eta" }, eta(o)), o.distance_m != null ? ` · ${(o.distance_m / 1000).toFixed(1)} km` : ""))
        : h("li", { class: "muted" }, t("dp.no_officers")));
    };
    agency.addEventListener("change", fillOfficers);
    fillOfficers();
    const errors = h("p", { class: "field-error", id: "dp-error", role: "alert" });
    const form = h("form", { class: "dispatch-form", id: "dispatch-form" },
      h("p", { class: "muted", id: "suggested-agencies" }, `${t("dp.suggested")}: `,
        suggestedIds.length ? suggestedIds.map((id) => this.agencyName(id)).join(", ") : "—"),
      h("div", { class: "row" },
        h("div", {}, h("label", { for: agency.id }, t("dp.agency")), agency),
        h("div", {}, h("label", { for: priority.id }, t("col.priority")), priority)),
      h("label", {}, t("dp.ranked")), officersEl,
      this.suggested.scene ? null : h("p", { class: "muted", id: "dp-no-scene" }, t("dp.no_scene")),
      h("label", { for: instructions.id }, t("dp.instructions")), instructions,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "dp-send" }, t("dp.send"))),
      errors);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errors.textContent = "";
      const body = { agency_id: agency.value ? Number(agency.value) : null, instructions: instructions.value.trim(),
                     priority: Number(priority.value) };
      try {
        for (const dispatch of await dispatchApi.create(this.incident.id, body)) this.onDispatch(dispatch);
        instructions.value = "";
        this.say(t("dp.sent"));
      } catch (exc) {
        errors.textContent = exc instanceof ApiError && exc.fields.length
          ? Object.entries(exc.byField()).map(([f, m]) => `${f}: ${m.join("; ")}`).join(" · ") : said(exc);
      }
    });
    return form;
  }

  say(text, bad = false) {
    this.message = text;
    if (!this.messageEl) return;
    this.messageEl.textContent = text || "";
    this.messageEl.className = `notice ${bad ? "bad" : "ok"}`;
  }

  async informed() {
    try { await dispatchApi.reporterInformed(this.incident.id); this.say(t("dp.informed_done")); }
    catch (exc) { this.say(said(exc), true); }
  }

  async informCallback() {
    try { await dispatchApi.reporterInformed(this.incident.id, true); this.say(t("dp.callback_queued")); }
    catch (exc) { this.say(said(exc), true); }
  }

  async cancel(dispatch) {
    try { this.onDispatch(await dispatchApi.move(dispatch.id, "cancelled")); }
    catch (exc) { this.say(said(exc), true); }
  }

  async close(override) {
    try {
      await dispatchApi.close(this.incident.id, override);
      this.closeRefused = null;
      this.say(t("dp.closed"));
      this.onClosed?.();
    } catch (exc) {
      this.closeRefused = exc instanceof ApiError && exc.status === 409;  // a supervisor may override then
      this.render();
      this.say(said(exc), true);
    }
  }
}

function rank(ids, id) { const i = ids.indexOf(id); return i < 0 ? ids.length : i; }

export function eta(o) {
  const seconds = o.eta_s;
  return seconds === null || seconds === undefined ? "—"
    : `${t("dp.eta")} ${duration(seconds)}${o.estimate ? ` (${t("dp.estimate")})` : ""}`;
}
