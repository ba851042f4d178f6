// The incident form (SOP fields), saved as the call taker types: each change is kept as a draft in
// localStorage ("cc112.draft.<id>", removed once saved, and on logout) and sent with a debounced PATCH,
// so neither a refresh nor a lost connection loses work. Every 422 error is shown beside its field;
// only the status moves the API allows (`allowed_transitions`) are offered. The timeline is below.
import { api, ApiError, Offline } from "./api.js";
import { amlText } from "./call_tags.js";
import { clear, debounce, h, options } from "./dom.js";
import { CATEGORIES, category, lang, t, word } from "./i18n.js";
import { openMapPick } from "./map_pick.js";
import { clock, stamp } from "./time.js";

const SAVE_AFTER_MS = 700;
const FIELDS = ["reporter_name", "callback_number", "address", "latitude", "longitude", "location_source",
                "category", "description", "verification", "priority"];
const POSITION = ["latitude", "longitude", "location_source"];
const SOURCES = ["caller", "aml", "network", "map", "other"];
const VERIFICATIONS = ["unverified", "verified", "false_report", "prank", "ghost"];

const draftKey = (id) => `cc112.draft.${id}`;

function uiValue(incident, field) {
  const v = incident[field];
  return v === null || v === undefined ? "" : String(v);
}

function apiValue(field, text) {
  const value = text.trim();
  if (["latitude", "longitude"].includes(field)) return value === "" ? null : (Number.isFinite(Number(value)) ? Number(value) : value);
  if (field === "priority") return value === "" ? null : Number(value);
  if (["location_source", "category", "callback_number"].includes(field)) return value === "" ? null : value;
  return text;
}

export class IncidentForm {
  constructor(el, { config, compact = false, panel = null } = {}) {
    this.el = el;
    this.panel = panel;  // shown under the form with each incident: `{ el, show(incident) }` (the dispatch panel)
    if (panel) panel.onClosed = () => this.open(this.id);
    this.config = config || {};
    this.compact = compact;
    this.incident = null;
    this.timeline = [];
    this.dirty = {};
    this.inputs = {};
    this.errors = {};
    this.saving = null;
    this.pendingId = null;
    this.save = debounce(() => this.saveNow(), SAVE_AFTER_MS);
    this.renderEmpty();
  }

  get id() { return this.incident?.id ?? null; }

  renderEmpty(message) {
    clear(this.el, h("div", { class: "card form-empty", id: "incident-empty" }, message || t("form.none")));
  }

  async open(id) {
    if (this.id !== id) {
      this.save.flush();
      await this.saving;
    }
    this.pendingId = id;
    let full;
    try {
      full = await api.get(`/api/incidents/${id}`);
    } catch (exc) {
      if (exc instanceof ApiError && exc.status === 403) {  // the call is not at this seat yet: retried on connect
        this.renderEmpty(`${t("pop.incident")} #${id}: ${exc.message}`);
        return false;
      }
      throw exc;
    }
    this.pendingId = null;
    const changed = this.id !== id;
    this.incident = full.incident;
    this.timeline = full.timeline;
    this.full = full;
    if (changed) {
      this.dirty = JSON.parse(localStorage.getItem(draftKey(id)) || "{}");
      this.errors = {};
      this.render();
      if (Object.keys(this.dirty).length) { this.showState("dirty"); this.save(); }
    } else {
      this.updateFromServer();
    }
    return true;
  }

  async refresh() {
    if (this.pendingId) return this.open(this.pendingId);
    if (this.id) {
      await this.open(this.id);
      if (Object.keys(this.dirty).length) this.save();
    }
  }

  render() {
    const inc = this.incident;
    this.inputs = {};
    const field = (name, control, extra) => {
      control.id = `f-${name}`;
      control.name = name;
      const value = name in this.dirty ? this.dirty[name] : uiValue(inc, name);
      control.value = value;
      const onEdit = () => this.edited(name);
      control.addEventListener("input", onEdit);
      control.addEventListener("change", onEdit);
      this.inputs[name] = control;
      return h("div", { class: `field field-${name}` },
        h("label", { for: control.id }, t(`form.${name}`)), control, extra,
        h("span", { class: "field-error", id: `err-${name}`, role: "alert" }));
    };
    const select = (pairs) => h("select", {}, options(pairs));
    const locked = !this.isOpen();
    const categories = Object.keys(CATEGORIES.id).map((c) => [c, category(c)]);
    const heading = h("div", { class: "form-head" },
      h("h2", {}, `${t("form.title")} #${inc.id}`),
      h("span", { class: `status-chip status-${inc.status}`, id: "incident-status" }, word(inc.status)),
      h("span", { class: "muted form-meta" }, `${t("form.opened")} ${stamp(inc.opened_at)} · ${t("form.caller")}: `,
        inc.caller_number || t("pop.no_callback").split("—")[0].trim()),
      h("span", { class: "save-state", id: "save-state", "aria-live": "polite" }));
    const mapButton = h("button", { type: "button", class: "small", id: "map-pick", onclick: () => this.pickOnMap() },
                        t("form.map"));
    const form = h("form", { class: "incident-form", id: "incident-form", novalidate: true },
      field("reporter_name", h("input", { autocomplete: "off" })),
      field("callback_number", h("input", { inputmode: "tel", autocomplete: "off" })),
      field("address", h("input", { autocomplete: "off" })),
      h("div", { class: "row" },
        field("latitude", h("input", { inputmode: "decimal", autocomplete: "off" })),
        field("longitude", h("input", { inputmode: "decimal", autocomplete: "off" })),
        field("location_source", select([["", "—"], ...SOURCES.map((s) => [s, word(s)])]), mapButton)),
      h("div", { id: "aml-slot", class: "aml-slot" }),
      h("div", { id: "map-panel", class: "map-panel", hidden: true }),
      h("div", { class: "row" },
        field("category", select([["", "—"], ...categories])),
        field("verification", select(VERIFICATIONS.map((v) => [v, word(v)]))),
        field("priority", select([["", "—"], ...["1", "2", "3", "4"].map((p) => [p, word(p)])]))),
      field("description", h("textarea", { rows: this.compact ? 3 : 4 })),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "primary", id: "save" }, t("form.save"), " ", h("kbd", {}, "F4")),
        h("span", { id: "transitions", class: "transitions" })));
    form.addEventListener("submit", (event) => { event.preventDefault(); this.save.cancel(); this.saveNow(); });
    for (const [name, control] of Object.entries(this.inputs)) control.disabled = locked && !["verification", "description"].includes(name);
    this.timelineEl = h("ol", { class: "timeline", id: "timeline" });
    const timeline = h("div", { class: "card" }, h("h3", {}, t("timeline.title")), this.timelineEl);
    clear(this.el, h("div", { class: "card incident" }, heading, form),
          this.panel ? h("div", { class: "form-side" }, this.panel.el, timeline) : timeline,
          this.compact ? this.extras() : null);
    this.panel?.show(inc).catch(() => {});
    this.renderTransitions();
    this.renderTimeline();
    this.amlShown = null;
    this.renderAml();
    this.showErrors();
    this.showState(Object.keys(this.dirty).length ? "dirty" : "saved");
  }

  extras() { return null; }

  isOpen() { return !["closed", "cancelled"].includes(this.incident.status); }

  updateFromServer() {
    const focused = document.activeElement;
    for (const [name, control] of Object.entries(this.inputs)) {
      if (name in this.dirty || control === focused) continue;
      control.value = uiValue(this.incident, name);
    }
    const chip = this.el.querySelector("#incident-status");
    if (chip) { chip.textContent = word(this.incident.status); chip.className = `status-chip status-${this.incident.status}`; }
    this.renderTransitions();
    this.renderTimeline();
    this.panel?.show(this.incident).catch(() => {});
    this.renderAml();
  }

  // Issue 19: the handset's AML position (source `aml`): its accuracy and method beside the position
  // fields, and the map opened on it with the accuracy radius as a circle (once per new position).
  amlLocation() {
    const inc = this.incident;
    if (inc.location_source !== "aml" || inc.latitude === null || inc.longitude === null) return null;
    const note = [...this.timeline].reverse().find((e) => e.actor === "aml" && e.details?.method);
    return { latitude: inc.latitude, longitude: inc.longitude, accuracy_m: inc.location_accuracy_m ?? note?.details.accuracy_m ?? 0,
             method: note?.details.method || "", positioned_at: note?.details.positioned_at };
  }

  renderAml() {
    const slot = this.el.querySelector("#aml-slot");
    if (!slot) return;
    const aml = this.amlLocation();
    const key = aml ? `${aml.latitude},${aml.longitude},${aml.accuracy_m},${aml.method}` : null;
    if (key === this.amlShown) return;
    this.amlShown = key;
    clear(slot, aml ? h("p", { class: "aml-info", id: "aml-info", "data-method": aml.method },
      h("strong", {}, `${t("form.aml")}: `), amlText(aml), " ",
      h("button", { type: "button", class: "small", id: "aml-show", onclick: () => this.pickOnMap(true) }, t("form.aml_show")))
      : null);
    if (aml) this.pickOnMap(true);
  }

  edited(name) {
    const value = this.inputs[name].value;
    if (!(name in this.dirty) && value === uiValue(this.incident, name)) return;  // a blur, not an edit
    if (this.dirty[name] === value) return;
    this.dirty[name] = value;
    localStorage.setItem(draftKey(this.id), JSON.stringify(this.dirty));
    this.showState("dirty");
    this.save();
  }

  body() {
    const body = {};
    const names = Object.keys(this.dirty);
    let pairProblem = false;
    if (names.some((n) => POSITION.includes(n))) {
      const lat = this.inputs.latitude.value.trim(), lon = this.inputs.longitude.value.trim();
      if ((lat === "") !== (lon === "")) {
        pairProblem = true;
      } else {
        for (const n of POSITION) body[n] = apiValue(n, this.inputs[n].value);
        if (lat !== "" && body.location_source === null) {
          body.location_source = "caller";
          this.inputs.location_source.value = "caller";
        }
        if (lat === "") body.location_source = null;
      }
    }
    for (const n of names) if (!POSITION.includes(n)) body[n] = apiValue(n, this.dirty[n]);
    return { body, pairProblem };
  }

  async saveNow() {
    if (!this.incident) return;
    if (this.saving) { await this.saving; if (Object.keys(this.dirty).length) this.save(); return; }
    const { body, pairProblem } = this.body();
    this.errors = pairProblem ? { latitude: [t("form.pair")], longitude: [t("form.pair")] } : {};
    if (!Object.keys(body).length) { this.showErrors(); if (!pairProblem) this.showState("saved"); return; }
    const id = this.id;
    const sent = { ...this.dirty };
    this.showState("saving");
    this.saving = (async () => {
      try {
        const answer = await api.patch(`/api/incidents/${id}`, body);
        if (this.id !== id) return;
        this.incident = answer.incident;
        this.timeline = [...this.timeline, ...answer.timeline];
        for (const [name, value] of Object.entries(sent)) {
          if (name in body && this.dirty[name] === value) delete this.dirty[name];
        }
        if (Object.keys(this.dirty).length) localStorage.setItem(draftKey(id), JSON.stringify(this.dirty));
        else localStorage.removeItem(draftKey(id));
        this.showErrors();
        this.updateFromServer();
        this.showState(pairProblem ? "failed" : (Object.keys(this.dirty).length ? "dirty" : "saved"));
      } catch (exc) {
        if (exc instanceof ApiError && exc.status === 422) {
          this.errors = { ...this.errors, ...exc.byField() };
          this.showErrors();
          this.showState("failed");
        } else if (exc instanceof Offline) {
          this.showState("offline");
        } else {
          this.showState("failed", exc.message);
        }
      }
    })();
    await this.saving;
    this.saving = null;
  }

  showErrors() {
    for (const name of FIELDS) {
      const slot = this.el.querySelector(`#err-${name}`);
      if (!slot) continue;
      const messages = this.errors[name] || [];
      slot.textContent = messages.join("; ");
      this.inputs[name]?.setAttribute("aria-invalid", messages.length ? "true" : "false");
    }
  }

  showState(state, detail = "") {
    const el = this.el.querySelector("#save-state");
    if (!el) return;
    el.dataset.state = state;
    const text = { saved: `${t("form.saved")} ${this.incident?.updated_at ? clock(this.incident.updated_at) : ""}`,
                   saving: t("form.saving"), dirty: t("form.dirty"), failed: t("form.failed"),
                   offline: t("form.offline") }[state];
    el.textContent = detail ? `${text}: ${detail}` : text;
  }

  renderTransitions() {
    const slot = this.el.querySelector("#transitions");
    if (!slot) return;
    const allowed = this.incident.allowed_transitions || [];
    const key = `${this.incident.id}:${allowed.join(",")}`;
    if (slot.dataset.key === key) return;  // unchanged: never replace a button under the operator's pointer
    slot.dataset.key = key;
    clear(slot, allowed.length ? h("span", { class: "muted" }, `${t("form.move")}:`) : h("span", { class: "muted" }, t("form.final")),
      ...allowed.map((status) => h("button", { type: "button", class: `move move-${status}`, "data-status": status,
                                               onclick: () => this.move(status) }, word(status))),
      h("span", { class: "field-error", id: "err-status", role: "alert" }));
  }

  async move(status) {
    this.save.cancel();
    await this.saveNow();
    try {
      const answer = await api.post(`/api/incidents/${this.id}/status`, { status });
      const wasOpen = this.isOpen();
      this.incident = answer.incident;
      this.timeline = [...this.timeline, ...answer.timeline];
      if (wasOpen !== this.isOpen()) this.render(); else this.updateFromServer();
    } catch (exc) {
      if (exc instanceof ApiError && exc.status === 409) await this.open(this.id);  // someone else moved it
      const slot = this.el.querySelector("#err-status");
      if (slot) slot.textContent = exc.message;
    }
  }

  renderTimeline() {
    if (!this.timelineEl) return;
    const key = `${this.incident.id}:${lang()}:${this.timeline.length}`;
    if (this.timelineEl.dataset.key === key) return;
    this.timelineEl.dataset.key = key;
    const items = [...this.timeline].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.id - a.id));
    clear(this.timelineEl, items.length ? items.map((e) => h("li", { class: `tl tl-${e.kind}` },
      h("time", { datetime: e.at }, clock(e.at)), " ", h("strong", {}, word(e.kind)), " ",
      h("span", { class: "muted" }, e.actor), " ", describe(e))) : h("li", { class: "muted" }, t("timeline.empty")));
  }

  pickOnMap(showAml = false) {
    const panel = this.el.querySelector("#map-panel");
    if (showAml && panel && !panel.hidden) panel.hidden = true;  // redrawn on the AML position
    openMapPick(panel, this.config.map || {}, {
      lat: Number(this.inputs.latitude.value) || null, lon: Number(this.inputs.longitude.value) || null,
      aml: this.amlLocation(),
    }, (lat, lon) => {
      this.inputs.latitude.value = lat.toFixed(6);
      this.inputs.longitude.value = lon.toFixed(6);
      this.inputs.location_source.value = "map";
      for (const n of POSITION) this.dirty[n] = this.inputs[n].value;
      localStorage.setItem(draftKey(this.id), JSON.stringify(this.dirty));
      this.showState("dirty");
      this.save();
    });
  }
}

function describe(entry) {
  const d = entry.details || {};
  if (entry.kind === "field_changed") {
    const value = (v) => (v === null || v === undefined || v === "" ? "—"
      : d.field === "category" ? category(v) : ["verification", "location_source", "priority"].includes(d.field) ? word(v) : String(v));
    return `${t(`form.${d.field}`)}: ${value(d.old)} → ${value(d.new)}`;
  }
  if (d.event === "dispatch") {  // issue 17: a dispatch moved
    return `${t("lm.dispatch")} #${d.dispatch_id} · ${d.agency || ""}: ${d.previous ? `${word(d.previous)} → ` : ""}${word(d.status)}`
      + [d.officer, d.reason, d.report].filter(Boolean).map((x) => ` · ${x}`).join("");
  }
  if (d.event === "dispatch_acknowledged") return `${t("lm.dispatch")} #${d.dispatch_id}: ${t("of.acknowledged")}${d.officer ? ` · ${d.officer}` : ""}`;
  if (d.event === "reporter_informed") return `${t("dp.informed")}${d.callback_id ? ` · ${t("dp.inform_callback")}` : ""}`;
  if (entry.kind === "status_changed") {
    return `${word(d.old)} → ${word(d.new)}${d.reason ? ` (${d.reason})` : ""}`;
  }
  const parts = Object.entries(d).filter(([k, v]) => v !== null && v !== "" && typeof v !== "object" && k !== "path")
    .map(([k, v]) => `${k}: ${v}`);
  return parts.join(" · ");
}

