// Issue 19 on the call taker's screen: tag the current call prank, abusive, accidental (ghost) or
// silent in one key press (F6-F9, or the buttons), the repeat-prank flag and the handset's AML
// position in the screen pop. A flag never blocks anything: the call is answered like any other.
import { api } from "./api.js";
import { clear, h } from "./dom.js";
import { t, word } from "./i18n.js";

export const TAG_KEYS = { F6: "prank", F7: "abusive", F8: "ghost", F9: "silent" };
const TAGS = Object.entries(TAG_KEYS);

export function amlText(location) {
  if (!location) return "";
  const lat = Number(location.latitude).toFixed(5), lon = Number(location.longitude).toFixed(5);
  return `${lat}, ${lon} ± ${Math.round(location.accuracy_m)} m · ${word(location.method)}`;
}

// The pop's rows for the flag and the AML position (`dt`/`dd` pairs, or nothing)
export function popRows(pop) {
  return [
    pop.prank_flag ? [h("dt", {}, h("span", { class: "flag flag-prank" }, t("flag.prank"))),
      h("dd", { id: "pop-prank", "data-pranks": pop.prank_flag.pranks },
        `${t("pop.prank_flag")} ${pop.prank_flag.pranks} ${t("pop.pranks")}`)] : null,
    pop.location ? [h("dt", {}, t("pop.aml")), h("dd", { id: "pop-aml", "data-method": pop.location.method },
      amlText(pop.location))] : null,
  ];
}

export function renderTags(card, pop, onTag, message = "") {
  const tagged = new Set(pop?.tags || []);
  clear(card, h("h3", {}, t("tag.title")),
    h("div", { class: "buttons tag-buttons" }, TAGS.map(([key, tag]) => h("button", {
      type: "button", class: `small tag-button${tagged.has(tag) ? " tagged" : ""}`, id: `tag-${tag}`,
      "data-tag": tag, "aria-pressed": tagged.has(tag) ? "true" : "false", disabled: !pop?.call_id,
      onclick: () => onTag(tag) }, t(`tag.${tag}`), " ", h("kbd", {}, key)))),
    h("p", { class: "muted", id: "tag-state", role: "status" },
      message || (tagged.size ? `${t("tag.tagged")}: ${[...tagged].map((x) => word(x)).join(", ")}`
        : (pop?.call_id ? "" : t("tag.nothing")))));
}

export async function tagCall(pop, tag) {
  return api.post(`/api/calls/${encodeURIComponent(pop.call_id)}/tags`, { tag });
}
