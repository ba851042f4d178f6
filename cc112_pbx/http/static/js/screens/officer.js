// The officer's page (issue 17), made for a phone: their assignments, one big button for the next
// step, a report with an optional photo, and "navigate", which opens the phone's navigation app
// (`geo:` URI) or Google Maps directions (traffic-aware routing avoids congested roads).
// The officer's steps: accept the assignment (`POST .../acknowledge`: `acknowledged_at`, the dispatch
// stays `assigned`; the agency's own "accepted" came before), then the moves the API lets an officer
// make: en route, on scene, resolved with the report.
import { ApiError } from "../api.js";
import { dispatchApi, latest, notices, said } from "../dispatch_api.js";
import { eta } from "../dispatch_panel.js";
import { clear, debounce, h } from "../dom.js";
import { category, t, word } from "../i18n.js";
import { where } from "../live_map.js";
import { stamp } from "../time.js";

// the officer's steps, in order: "acknowledge" (accept), then the status each button moves the assignment to
export const STEPS = ["acknowledge", "en_route", "on_scene", "resolved"];
const ORDER = ["assigned", "en_route", "on_scene", "resolved"];
const DONE = ["resolved", "cancelled", "rejected"];
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;  // as `[dispatch] photo_max_bytes`; the API refuses larger ones anyway

export function navigationLinks(lat, lon) {
  const at = `${lat},${lon}`;
  return {
    geo: `geo:${at}?q=${at}`,
    google: `https://www.google.com/maps/dir/?api=1&destination=${at}&travelmode=driving`,
  };
}

export function mount(ctx, el) {
  const list = h("div", { id: "assignments" });
  const availability = h("div", { class: "card availability", id: "availability" });
  const past = h("details", { class: "card", id: "past-assignments" });
  el.classList.add("officer-page");
  el.append(h("h2", {}, t("of.title")), availability, list, past);
  let items = [];

  // "I can take assignments" / "I cannot": the officer's own availability (never suggested when not)
  async function loadMe() {
    if (!ctx.me.officer_id) return;
    renderAvailability(await dispatchApi.officer(ctx.me.officer_id));
  }

  function renderAvailability(me, message = "") {
    const flip = async () => {
      try { renderAvailability(await dispatchApi.setAvailable(me.id, !me.available)); }
      catch (exc) { renderAvailability(me, said(exc)); }
    };
    clear(availability,
      h("span", { class: `chip ostatus-${me.state}`, id: "my-state", "data-available": me.available ? "1" : "0" }, word(me.state)),
      " ", h("strong", {}, me.callsign ? `${me.callsign} · ${me.name}` : me.name), " ",
      h("button", { type: "button", id: "toggle-available", onclick: flip }, t(me.available ? "of.go_unavailable" : "of.go_available")),
      message ? h("p", { class: "error", role: "alert" }, message) : null);
  }

  async function load() {
    loadMe().catch(() => {});
    try {
      items = await dispatchApi.assignments();
    } catch (exc) {  // e.g. an officer account not bound to an officer record yet: say so, plainly
      if (!(exc instanceof ApiError)) throw exc;
      clear(list, h("p", { class: "card error", id: "assignments-error", role: "alert" }, said(exc)));
      return;
    }
    render();
  }

  function render() {
    const open = items.filter((d) => !DONE.includes(d.status));
    const done = items.filter((d) => DONE.includes(d.status));
    clear(list, open.length ? open.map(card) : h("p", { class: "card muted", id: "no-assignments" }, t("of.none")));
    clear(past, h("summary", {}, `${t("of.past")} (${done.length})`),
      h("ul", {}, done.map((d) => h("li", { "data-dispatch": d.id }, `#${d.id} · ${word(d.status)} · ${stamp(d.updated_at)}`))));
  }

  function card(d) {
    const scene = where(d.scene);
    const error = h("p", { class: "error", role: "alert" });
    const next = nextStep(d);
    const report = h("textarea", { rows: 4, id: `report-${d.id}`, name: "report", placeholder: t("of.report_hint") });
    const photo = h("input", { type: "file", accept: "image/*", capture: "environment", id: `photo-${d.id}`, name: "photo" });
    const step = async (status) => {
      error.textContent = "";
      try {
        const extra = {};
        if (status === "resolved") {
          extra.report = report.value.trim();
          if (!extra.report) { error.textContent = t("of.report_needed"); report.focus(); return; }
          const file = photo.files?.[0];
          if (file && file.size > MAX_PHOTO_BYTES) { error.textContent = t("of.photo_big"); return; }
          if (file) await dispatchApi.photo(d.id, file);
        }
        replace(status === "acknowledge" ? await dispatchApi.acknowledge(d.id) : await dispatchApi.move(d.id, status, extra));
      } catch (exc) {
        error.textContent = said(exc);
      }
    };
    const links = scene ? navigationLinks(scene[0].toFixed(6), scene[1].toFixed(6)) : null;
    return h("article", { class: `card assignment status-${d.status}`, "data-dispatch": d.id },
      h("div", { class: "assignment-head" },
        h("strong", {}, `${t("lm.dispatch")} #${d.id}`),
        h("span", { class: `status-chip dstatus-${d.status}`, id: `dstatus-${d.id}` }, word(d.status)),
        d.priority ? h("span", { class: `prio prio-${d.priority}` }, word(d.priority)) : null),
      d.scene?.address || d.scene?.category ? h("p", { class: "assignment-where", id: `scene-${d.id}` },
        d.scene.category ? h("strong", {}, category(d.scene.category)) : null, d.scene.category && d.scene.address ? " · " : "",
        d.scene.address || "") : null,
      h("p", { class: "assignment-what muted" }, `${t("pop.incident")} #${d.incident_id} · ${d.agency_name || ""}`,
        d.eta_s != null ? ` · ${eta({ eta_s: d.eta_s, estimate: d.eta_estimate })}` : ""),
      d.instructions ? h("p", { class: "instructions" }, h("span", { class: "muted" }, `${t("dp.instructions")}: `), d.instructions) : null,
      links ? h("div", { class: "nav-links" },
        h("a", { class: "button primary big", href: links.geo, id: `navigate-${d.id}` }, `➤ ${t("of.navigate")}`),
        h("a", { class: "button big", href: links.google, target: "_blank", rel: "noopener noreferrer", id: `gmaps-${d.id}` },
          t("of.google"))) : h("p", { class: "muted" }, t("of.no_position")),
      h("div", { class: "steps" }, STEPS.map((status) => h("button", {
        type: "button", class: `step big${next === status ? " primary" : ""}`, "data-step": status, disabled: next !== status,
        id: `step-${status}-${d.id}`, onclick: () => step(status) }, t(`of.${status}`), reached(d, status) ? " ✓" : ""))),
      next === "resolved" ? h("div", { class: "report" },
        h("label", { for: report.id }, t("of.report")), report,
        h("label", { for: photo.id }, t("of.photo")), photo) : null,
      error);
  }

  function replace(dispatch) {
    const i = items.findIndex((d) => d.id === dispatch.id);
    if (i >= 0) items[i] = latest(items[i], dispatch); else items.unshift(dispatch);
    render();
  }

  const reload = debounce(() => load().catch(() => {}), 200);
  return {
    refresh: load,
    onNotice(n) {
      const officer = notices.officer(n);
      if (officer && officer.id === ctx.me.officer_id) renderAvailability(officer);
      const dispatch = notices.dispatch(n);
      if (dispatch) { if (items.some((d) => d.id === dispatch.id)) replace(dispatch); else reload(); }
    },
    unmount() { reload.cancel(); },
  };
}

// the one step this assignment is waiting for: accepting it while assigned and not accepted yet, else
// the first of the officer's moves the API allows; or null
export function nextStep(d) {
  if (d.status === "assigned" && !d.acknowledged_at) return "acknowledge";
  return STEPS.find((s) => (d.allowed_transitions || []).includes(s)) ?? null;
}

function reached(d, status) {
  if (status === "acknowledge") return Boolean(d.acknowledged_at) || ORDER.indexOf(d.status) > ORDER.indexOf("assigned");
  return ORDER.indexOf(d.status) >= ORDER.indexOf(status);
}
