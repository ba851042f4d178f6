// The officer's page (issue 17), made for a phone: their assignments, one big button for the next
// step (accept, en route, on scene, resolved), a report with an optional photo, and "navigate", which
// opens the phone's navigation app (`geo:` URI) or Google Maps directions (traffic-aware routing).
import { ApiError } from "../api.js";
import { dispatchApi, notices } from "../dispatch_api.js";
import { clear, debounce, h } from "../dom.js";
import { category, t, word } from "../i18n.js";
import { where } from "../live_map.js";
import { stamp } from "../time.js";

// the officer's steps, in order: which status each button leads to
export const STEPS = [["accept", "officer_accepted"], ["en_route", "en_route"], ["on_scene", "on_scene"], ["resolve", "resolved"]];
const DONE = ["resolved", "cancelled", "rejected"];
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

export function navigationLinks(lat, lon) {
  const at = `${lat},${lon}`;
  return {
    geo: `geo:${at}?q=${at}`,
    google: `https://www.google.com/maps/dir/?api=1&destination=${at}&travelmode=driving`,
  };
}

export function mount(ctx, el) {
  const list = h("div", { id: "assignments" });
  const past = h("details", { class: "card", id: "past-assignments" });
  el.classList.add("officer-page");
  el.append(h("h2", {}, t("of.title")), list, past);
  let items = [];

  async function load() {
    items = await dispatchApi.mine();
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
    const scene = where(d.scene) || where(d.incident) || where(d);
    const error = h("p", { class: "error", role: "alert" });
    const next = nextStep(d);
    const report = h("textarea", { rows: 4, id: `report-${d.id}`, name: "report", placeholder: t("of.report_hint") });
    const photo = h("input", { type: "file", accept: "image/*", capture: "environment", id: `photo-${d.id}`, name: "photo" });
    const step = async (action) => {
      error.textContent = "";
      try {
        const body = action === "resolve" ? { report: report.value.trim(), ...(await photoBody(photo)) } : {};
        if (action === "resolve" && !body.report) { error.textContent = t("of.report_needed"); report.focus(); return; }
        const answer = await dispatchApi.act(d.id, action, body);
        replace(answer.dispatch || answer);
      } catch (exc) {
        error.textContent = exc instanceof ApiError ? exc.message : String(exc.message || exc);
      }
    };
    const links = scene ? navigationLinks(scene[0].toFixed(6), scene[1].toFixed(6)) : null;
    const inc = d.incident || {};
    return h("article", { class: `card assignment status-${d.status}`, "data-dispatch": d.id },
      h("div", { class: "assignment-head" },
        h("strong", {}, `${t("lm.dispatch")} #${d.id}`),
        h("span", { class: `status-chip dstatus-${d.status}`, id: `dstatus-${d.id}` }, word(d.status)),
        d.priority ? h("span", { class: `prio prio-${d.priority}` }, word(d.priority)) : null),
      h("p", { class: "assignment-what" }, category(inc.category || d.category), inc.address || d.address ? ` · ${inc.address || d.address}` : ""),
      d.instructions ? h("p", { class: "instructions" }, h("span", { class: "muted" }, `${t("dp.instructions")}: `), d.instructions) : null,
      links ? h("div", { class: "nav-links" },
        h("a", { class: "button primary big", href: links.geo, id: `navigate-${d.id}` }, `➤ ${t("of.navigate")}`),
        h("a", { class: "button big", href: links.google, target: "_blank", rel: "noopener noreferrer", id: `gmaps-${d.id}` },
          t("of.google"))) : h("p", { class: "muted" }, t("of.no_position")),
      h("div", { class: "steps" }, STEPS.map(([action, status]) => h("button", {
        type: "button", class: `step big${next === action ? " primary" : ""}`, "data-action": action, disabled: next !== action,
        id: `step-${action}-${d.id}`, onclick: () => step(action) }, t(`of.${action}`), reached(d, status) ? " ✓" : ""))),
      next === "resolve" ? h("div", { class: "report" },
        h("label", { for: report.id }, t("of.report")), report,
        h("label", { for: photo.id }, t("of.photo")), photo) : null,
      error);
  }

  function replace(dispatch) {
    const i = items.findIndex((d) => d.id === dispatch.id);
    if (i >= 0) items[i] = { ...items[i], ...dispatch }; else items.unshift(dispatch);
    render();
  }

  const reload = debounce(() => load().catch(() => {}), 200);
  return {
    refresh: load,
    onNotice(n) {
      const dispatch = notices.dispatch(n);
      if (dispatch) { if (items.some((d) => d.id === dispatch.id)) replace(dispatch); else reload(); }
    },
    unmount() { reload.cancel(); },
  };
}

// the one step this dispatch is waiting for, or null
export function nextStep(d) {
  if (d.allowed_actions) return STEPS.map(([a]) => a).find((a) => d.allowed_actions.includes(a)) ?? null;
  return { assigned: "accept", officer_accepted: "en_route", en_route: "on_scene", on_scene: "resolve" }[d.status] ?? null;
}

function reached(d, status) {
  const order = ["assigned", "officer_accepted", "en_route", "on_scene", "resolved"];
  return order.indexOf(d.status) >= order.indexOf(status) && order.indexOf(status) >= 0 && order.indexOf(d.status) >= 0;
}

async function photoBody(input) {
  const file = input.files?.[0];
  if (!file) return {};
  if (file.size > MAX_PHOTO_BYTES) throw new Error(t("of.photo_big"));
  const data = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
  return { photo: { filename: file.name, content_type: file.type || "image/jpeg", data } };
}
