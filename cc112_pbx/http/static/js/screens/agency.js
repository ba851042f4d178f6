// The agency dispatcher's screen (issue 17): their agency's dispatches (accept, reject with a reason,
// assign to one of their officers, ranked by ETA) beside the map of their officers. The API shows
// an agency dispatcher only their own agency: this screen shows what it gets.
import { ApiError } from "../api.js";
import { dispatchApi } from "../dispatch_api.js";
import { eta } from "../dispatch_panel.js";
import { clear, h, options } from "../dom.js";
import { category, t, word } from "../i18n.js";
import { OPEN_DISPATCH } from "../live_map.js";
import { LiveMapFeed } from "../map_feed.js";
import { stamp } from "../time.js";

export function mount(ctx, el) {
  const listCard = h("div", { class: "card", id: "agency-dispatches" });
  const mapCard = h("div", { class: "card", id: "map-card" });
  clear(el, h("div", { class: "agency-grid" }, listCard, mapCard));
  const feed = new LiveMapFeed(mapCard, ctx, { onDispatches: render });
  const errors = new Map();  // dispatch id -> last refusal, kept across redraws

  function render(dispatches) {
    const open = dispatches.filter((d) => OPEN_DISPATCH.includes(d.status))
      .sort((a, b) => (a.priority ?? 9) - (b.priority ?? 9) || String(a.created_at).localeCompare(String(b.created_at)));
    const focused = listCard.contains(document.activeElement) ? document.activeElement : null;
    if (focused && ["INPUT", "SELECT", "TEXTAREA"].includes(focused.tagName)) return;  // not under the dispatcher's hands
    clear(listCard, h("h2", {}, `${t("ag.title")} (${open.length})`), open.length
      ? open.map(row) : h("p", { class: "muted", id: "agency-empty" }, t("ag.none")));
  }

  function row(d) {
    const error = h("p", { class: "error", role: "alert" }, errors.get(d.id) || "");
    const act = async (action, body) => {
      errors.delete(d.id);
      try {
        const answer = await dispatchApi.act(d.id, action, body);
        feed.map.upsertDispatch(answer.dispatch || answer);
        render([...feed.map.dispatches.values()]);
      } catch (exc) {
        errors.set(d.id, exc instanceof ApiError ? exc.message : String(exc));
        error.textContent = errors.get(d.id);
      }
    };
    const reason = h("input", { id: `reject-reason-${d.id}`, placeholder: t("ag.reason"), "aria-label": t("ag.reason") });
    const officers = [...feed.map.officers.values()];
    const ranked = (d.suggested_officers || []).length ? d.suggested_officers : officers;
    const officer = h("select", { id: `assign-officer-${d.id}`, "aria-label": t("lm.officer") },
      options(ranked.map((o) => [o.officer_id ?? o.id, `${o.name || `#${o.officer_id ?? o.id}`}${o.eta_s != null ? ` · ${eta(o)}` : ""} · ${word(o.status || "")}`])));
    const can = (action) => (d.allowed_actions ? d.allowed_actions.includes(action) : defaultActions(d.status).includes(action));
    const inc = d.incident || {};
    return h("article", { class: `dispatch-row dstatus-${d.status}`, "data-dispatch": d.id },
      h("div", { class: "assignment-head" }, h("strong", {}, `#${d.id}`),
        h("span", { class: `status-chip dstatus-${d.status}` }, word(d.status)),
        d.priority ? h("span", { class: `prio prio-${d.priority}` }, word(d.priority)) : null,
        h("span", { class: "muted" }, stamp(d.created_at))),
      h("p", {}, `${t("pop.incident")} #${d.incident_id} · ${category(inc.category || d.category)}`, inc.address ? ` · ${inc.address}` : ""),
      d.instructions ? h("p", { class: "instructions" }, d.instructions) : null,
      d.officer_id ? h("p", {}, `${t("lm.officer")}: ${d.officer_name || feed.map.officers.get(d.officer_id)?.name || `#${d.officer_id}`}`) : null,
      h("div", { class: "inline wrap" },
        can("accept") ? h("button", { type: "button", class: "primary", "data-action": "accept", onclick: () => act("accept") }, t("ag.accept")) : null,
        can("reject") ? [reason, h("button", { type: "button", "data-action": "reject",
          onclick: () => act("reject", { reason: reason.value.trim() }) }, t("ag.reject"))] : null,
        can("assign") ? [officer, h("button", { type: "button", "data-action": "assign",
          onclick: () => act("assign", { officer_id: Number(officer.value) }) }, t("ag.assign"))] : null),
      error);
  }

  return {
    refresh: () => feed.refresh(),
    onNotice: (n) => feed.onNotice(n),
    unmount: () => feed.stop(),
  };
}

function defaultActions(status) {
  return { created: ["accept", "reject"], sent: ["accept", "reject"], sent_to_agency: ["accept", "reject"],
           accepted: ["assign", "reject"] }[status] || [];
}
