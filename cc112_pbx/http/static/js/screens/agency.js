// The agency dispatcher's screen (issue 17): their agency's dispatches (accept, reject with a reason,
// assign to one of their officers, ranked by ETA) beside the map of their officers. The API shows
// an agency dispatcher only their own agency: this screen shows what it gets.
import { dispatchApi, said } from "../dispatch_api.js";
import { clear, h, options } from "../dom.js";
import { category, t, word } from "../i18n.js";
import { OPEN_DISPATCH, where } from "../live_map.js";
import { LiveMapFeed } from "../map_feed.js";
import { stamp } from "../time.js";

export function mount(ctx, el) {
  const listCard = h("div", { class: "card", id: "agency-dispatches" });
  const mapCard = h("div", { class: "card", id: "map-card" });
  clear(el, h("div", { class: "agency-grid" }, listCard, mapCard));
  const feed = new LiveMapFeed(mapCard, ctx, { onDispatches: render, officerControls: availability });

  // the agency dispatcher may take one of their officers off (or put them back on) the suggestions
  function availability(officer) {
    return h("button", { type: "button", class: "small", "data-available": officer.available ? "1" : "0",
                         onclick: async () => {
                           try { feed.map.upsertOfficer(await dispatchApi.setAvailable(officer.id, !officer.available)); }
                           catch (exc) { errors.set("officers", said(exc)); render([...feed.map.dispatches.values()]); }
                         } }, t(officer.available ? "ag.set_unavailable" : "ag.set_available"));
  }
  const errors = new Map();  // dispatch id -> last refusal, kept across redraws

  function render(dispatches) {
    const open = dispatches.filter((d) => OPEN_DISPATCH.includes(d.status))
      .sort((a, b) => (a.priority ?? 9) - (b.priority ?? 9) || String(a.created_at).localeCompare(String(b.created_at)));
    const focused = listCard.contains(document.activeElement) ? document.activeElement : null;
    if (focused && ["INPUT", "SELECT", "TEXTAREA"].includes(focused.tagName)) return;  // not under the dispatcher's hands
    clear(listCard, h("h2", {}, `${t("ag.title")} (${open.length})`),
      errors.has("officers") ? h("p", { class: "error", role: "alert" }, errors.get("officers")) : null, open.length
      ? open.map(row) : h("p", { class: "muted", id: "agency-empty" }, t("ag.none")));
  }

  function row(d) {
    const error = h("p", { class: "error", role: "alert" }, errors.get(d.id) || "");
    const act = async (status, extra) => {
      errors.delete(d.id);
      try {
        feed.map.upsertDispatch(await dispatchApi.move(d.id, status, extra));
        render([...feed.map.dispatches.values()]);
      } catch (exc) {
        errors.set(d.id, said(exc));
        error.textContent = errors.get(d.id);
      }
    };
    const reason = h("input", { id: `reject-reason-${d.id}`, placeholder: t("ag.reason"), "aria-label": t("ag.reason") });
    const ranked = nearest([...feed.map.officers.values()].filter((o) => o.agency_id === d.agency_id && o.id !== d.officer_id),
                           where(d.scene));
    const officer = h("select", { id: `assign-officer-${d.id}`, "aria-label": t("lm.officer") },
      options(ranked.map(({ o, km }) => [o.id, `${o.callsign || o.name}${km !== null ? ` · ${km.toFixed(1)} km` : ""} · ${word(feed.map.statusOf(o))}`])));
    const can = (status) => (d.allowed_transitions || []).includes(status);
    return h("article", { class: `dispatch-row dstatus-${d.status}`, "data-dispatch": d.id },
      h("div", { class: "assignment-head" }, h("strong", {}, `#${d.id}`),
        h("span", { class: `status-chip dstatus-${d.status}` }, word(d.status)),
        d.priority ? h("span", { class: `prio prio-${d.priority}` }, word(d.priority)) : null,
        h("span", { class: "muted" }, stamp(d.created_at)),
        d.overdue ? h("span", { class: "flag flag-no_callback", "data-overdue": "1" }, t("dp.overdue")) : null),
      h("p", {}, `${t("pop.incident")} #${d.incident_id}`, d.scene?.category ? ` · ${category(d.scene.category)}` : "",
        d.scene?.address ? ` · ${d.scene.address}` : ""),
      d.instructions ? h("p", { class: "instructions" }, d.instructions) : null,
      d.officer_id ? h("p", {}, `${t("lm.officer")}: ${d.officer_name || feed.map.officers.get(d.officer_id)?.name || `#${d.officer_id}`}`,
        d.status === "assigned" && d.acknowledged_at ? h("span", { class: "acknowledged" }, ` · ✓ ${t("of.acknowledged")}`) : null) : null,
      h("div", { class: "inline wrap" },
        can("accepted") ? h("button", { type: "button", class: "primary", "data-action": "accept", onclick: () => act("accepted") }, t("ag.accept")) : null,
        can("rejected") ? [reason, h("button", { type: "button", "data-action": "reject",
          onclick: () => act("rejected", { reason: reason.value.trim() }) }, t("ag.reject"))] : null,
        can("assigned") && ranked.length ? [officer, h("button", { type: "button", "data-action": "assign",
          onclick: () => act("assigned", { officer_id: Number(officer.value) }) }, t("ag.assign"))] : null),
      can("assigned") && ranked.length ? h("p", { class: "muted" }, `${t("lm.officer")}: ${t("ag.nearest")}`) : null,
      error);
  }

  return {
    refresh: () => feed.refresh(),
    onNotice: (n) => feed.onNotice(n),
    unmount: () => feed.stop(),
  };
}

// the agency's officers, available ones first, each group nearest to the scene first (straight line)
function nearest(officers, scene) {
  const km = (o) => (scene && where(o.position) ? haversineKm(where(o.position), scene) : null);
  return officers.map((o) => ({ o, km: km(o) }))
    .sort((a, b) => (a.o.state === "available" ? 0 : 1) - (b.o.state === "available" ? 0 : 1)
      || (a.km ?? Infinity) - (b.km ?? Infinity));
}

export function haversineKm([lat1, lon1], [lat2, lon2]) {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2
    + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(a));
}
