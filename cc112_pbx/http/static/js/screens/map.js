// The map screen (issue 17): open incidents, officers and their dispatches, live. Operators see
// everything; an agency dispatcher sees their agency's officers and dispatches (the API scopes it).
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { LiveMapFeed } from "../map_feed.js";

export function mount(ctx, el) {
  const holder = h("div", { class: "card", id: "map-card" });
  el.append(h("h2", {}, t("lm.title")), holder);
  const feed = new LiveMapFeed(holder, ctx);
  return {
    refresh: () => feed.refresh(),
    onNotice: (n) => feed.onNotice(n),
    unmount: () => feed.stop(),
  };
}
