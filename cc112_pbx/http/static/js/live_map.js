// The live map (issue 17): open incidents (coloured by priority), officers (status and the age of their
// last position), each dispatch's line from its officer to the scene, and one officer's trail over the
// last hour (on click). Leaflet with the configured tiles only (`[http] map_tile_url`; the coordinate
// grid without). What it shows is what the API gave this user: scoping is the server's job.
// Beside the map, the same officers as a list, so that every state is text as well as colour.
import { latest } from "./dispatch_api.js";
import { clear, h } from "./dom.js";
import { t, word } from "./i18n.js";
import { baseMap, loadLeaflet } from "./map_pick.js";
import { duration } from "./time.js";

export const STALE_AFTER_S = 600;  // as `[dispatch] stale_after`: an older position is drawn faded and said to be old
const PRIORITY_COLOURS = { 1: "#b3261e", 2: "#d9730d", 3: "#c9a100", 4: "#5b6775", 5: "#5b6775" };
export const OPEN_DISPATCH = ["created", "sent_to_agency", "accepted", "assigned", "en_route", "on_scene"];
const WORKING = ["assigned", "en_route", "on_scene"];  // an officer with a dispatch in one of these is out on it

// Where a thing is, whatever the field names: {lat, lon} or {latitude, longitude}, or null.
export function where(thing) {
  if (!thing) return null;
  const lat = thing.lat ?? thing.latitude, lon = thing.lon ?? thing.longitude;
  return lat === null || lat === undefined || lon === null || lon === undefined ? null : [Number(lat), Number(lon)];
}

export function ageSeconds(iso, now = Date.now()) {
  return iso ? Math.max(0, (now - new Date(iso).getTime()) / 1000) : null;
}

export class LiveMap {
  // `officerControls(officer)`: an extra cell for each officer in the list (the agency dispatcher's
  // availability switch), or nothing
  constructor(holder, mapConfig, { onTrail, officerControls } = {}) {
    this.officerControls = officerControls;
    this.holder = holder;
    this.config = mapConfig || {};
    this.onTrail = onTrail;
    this.incidents = new Map();
    this.officers = new Map();
    this.dispatches = new Map();
    this.agencies = new Map();
    this.layers = { incidents: new Map(), officers: new Map(), lines: new Map() };
    this.trail = null;
    this.trailOf = null;
    this.listEl = h("div", { class: "map-officers", id: "map-officers" });
    this.mapEl = h("div", { class: "map live-map", id: "live-map" });
    const note = this.config.tile_url ? null : h("p", { class: "map-note", id: "map-note" }, t("lm.no_tiles"));
    clear(holder, h("div", { class: "live-map-grid" }, h("div", {}, note, this.mapEl), this.listEl));
    this.ticker = setInterval(() => { this.renderAges(); this.drawLayers(); }, 5000);
  }

  async start() {
    this.L = await loadLeaflet();
    this.map = baseMap(this.L, this.mapEl, this.config);
    this.draw();
    return this;
  }

  stop() {
    clearInterval(this.ticker);
    this.map?.remove();
    this.map = null;
  }

  // Whole sets, from the API
  setAgencies(list) { this.agencies = new Map(list.map((a) => [a.id, a])); }
  setIncidents(list) { this.incidents = new Map(list.map((i) => [i.id, i])); this.draw(); }
  setOfficers(list) { this.officers = new Map(list.map((o) => [o.id, o])); this.draw(); }
  setDispatches(list) { this.dispatches = new Map(list.map((d) => [d.id, d])); this.draw(); }

  // One change, from the WebSocket
  upsertOfficer(officer) {
    const old = this.officers.get(officer.id) || {};
    this.officers.set(officer.id, { ...old, ...officer });
    this.draw();
  }

  moveOfficer(officerId, position) {
    const old = this.officers.get(officerId);
    if (!old) return false;
    this.officers.set(officerId, { ...old, position });
    if (this.trailOf === officerId && this.trail && where(position)) this.trail.addLatLng(where(position));
    this.draw();
    return true;
  }

  upsertDispatch(dispatch) {
    this.dispatches.set(dispatch.id, latest(this.dispatches.get(dispatch.id), dispatch));
    this.draw();
  }

  upsertIncident(incident) {
    const old = this.incidents.get(incident.id) || {};
    this.incidents.set(incident.id, { ...old, ...incident });
    this.draw();
  }

  showTrail(officerId, points) {
    if (!this.map) return;
    this.trail?.remove();
    this.trailOf = officerId;
    const line = points.map(where).filter(Boolean);
    this.trail = this.L.polyline(line, { className: "officer-trail", color: "#7a2bb3", weight: 3, dashArray: "4 6" })
      .addTo(this.map);
    if (line.length && !this.map.getBounds().contains(this.trail.getBounds())) {  // bring it into view, no closer
      this.map.fitBounds(this.trail.getBounds(), { maxZoom: this.map.getZoom(), padding: [30, 30] });
    }
    this.holder.dataset.trail = `${officerId}:${line.length}`;
  }

  draw() {
    this.renderList();
    this.drawLayers();
  }

  drawLayers() {
    if (!this.map) return;
    const L = this.L;
    sync(this.layers.incidents, this.incidents, (i) => where(i), (i, at) => {
      const marker = L.circleMarker(at, { radius: 10, weight: 3, color: "#102a43", fillOpacity: 0.85,
                                          className: `incident-marker incident-${i.id}` });
      return marker.addTo(this.map);
    }, (marker, i, at) => {
      marker.setLatLng(at);
      marker.setStyle({ fillColor: PRIORITY_COLOURS[i.priority] || "#0b5cad" });
      tip(marker, `#${i.id} · ${word(i.priority ?? "")} · ${word(i.status)}${i.address ? ` · ${i.address}` : ""}`);
    });
    sync(this.layers.officers, this.officers, (o) => where(o.position), (o, at) => {
      const marker = L.marker(at, { icon: this.officerIcon(o), keyboard: true, title: o.name || String(o.id) });
      marker.on("click", () => this.onTrail?.(o.id));
      return marker.addTo(this.map);
    }, (marker, o, at) => {
      marker.setLatLng(at);
      const key = `${this.statusOf(o)}|${isStale(o)}|${o.callsign || o.name}`;
      if (marker.iconKey !== key) { marker.setIcon(this.officerIcon(o)); marker.iconKey = key; }
      const el = marker.getElement();
      if (el) Object.assign(el.dataset, { officer: o.id, lat: at[0].toFixed(6), lon: at[1].toFixed(6), status: this.statusOf(o) });
    });
    const lines = new Map([...this.dispatches].filter(([, d]) => OPEN_DISPATCH.includes(d.status) && d.officer_id != null));
    sync(this.layers.lines, lines, (d) => this.lineOf(d), (d, at) => L.polyline(at, {
      className: `dispatch-line dispatch-${d.id}`, color: "#0b5cad", weight: 4, opacity: 0.8 }).addTo(this.map),
    (line, d, at) => {
      line.setLatLngs(at);
      tip(line, `${t("lm.dispatch")} #${d.id} · ${word(d.status)}`);
      line.getElement()?.setAttribute("data-dispatch", d.id);
    });
  }

  lineOf(dispatch) {
    const officer = where(this.officers.get(dispatch.officer_id)?.position);
    const scene = where(dispatch.scene) || where(this.incidents.get(dispatch.incident_id));
    return officer && scene ? [officer, scene] : null;
  }

  // what the officer is doing: the status of the dispatch they are out on, else their own state
  statusOf(o) {
    const working = [...this.dispatches.values()].find((d) => d.officer_id === o.id && WORKING.includes(d.status));
    return working ? working.status : (o.state || "unknown");
  }

  officerIcon(o) {
    const stale = isStale(o);
    return this.L.divIcon({
      className: `officer-marker officer-${o.id} ostatus-${this.statusOf(o)}${stale ? " stale" : ""}`,
      html: h("span", { class: "officer-label" }, o.callsign || o.name || `#${o.id}`),
      iconSize: [16, 16],  // the marker is the dot; its label sits beside it, clear of the lines
      iconAnchor: [8, 8],
    });
  }

  renderList() {
    const officers = [...this.officers.values()]
      .sort((a, b) => String(a.callsign || a.name).localeCompare(String(b.callsign || b.name)));
    clear(this.listEl, h("h3", {}, `${t("lm.officers")} (${officers.length})`), officers.length ? h("table", { id: "officer-table" },
      h("thead", {}, h("tr", {}, ["lm.officer", "lm.agency", "col.status", "lm.seen"].map((k) => h("th", {}, t(k))),
        this.officerControls ? h("th", {}) : null)),
      h("tbody", {}, officers.map((o) => {
        const at = o.position?.at;
        const status = this.statusOf(o);
        return h("tr", { "data-officer": o.id, "data-status": status, class: this.trailOf === o.id ? "selected" : "" },
          h("td", {}, h("a", { href: "#", title: t("lm.trail"), onclick: (e) => { e.preventDefault(); this.onTrail?.(o.id); } },
            o.callsign ? `${o.callsign} · ${o.name}` : o.name || `#${o.id}`)),
          h("td", {}, (this.agencies.get(o.agency_id)?.code || "").toUpperCase() || o.agency_id || "—"),
          h("td", {}, h("span", { class: `chip ostatus-${status}` }, word(status))),
          h("td", { class: "age", "data-at": at || "", "data-stale": isStale(o) ? "1" : "" }, ageText(at, o.position?.stale)),
          this.officerControls ? h("td", {}, this.officerControls(o)) : null);
      }))) : h("p", { class: "muted" }, t("lm.no_officers")), legend());
  }

  renderAges() {
    for (const cell of this.listEl.querySelectorAll("td.age[data-at]")) {
      cell.textContent = ageText(cell.dataset.at || null, cell.dataset.stale === "1");
    }
  }
}

function legend() {
  return h("ul", { class: "map-legend", id: "map-legend" },
    h("li", {}, h("span", { class: "key key-incident" }), ` ${t("lm.key_incident")}`),
    ...["available", "assigned", "en_route", "on_scene"].map((s) => h("li", {},
      h("span", { class: `key key-officer ostatus-${s}` }), ` ${word(s)}`)),
    h("li", {}, h("span", { class: "key key-line" }), ` ${t("lm.key_line")}`),
    h("li", {}, h("span", { class: "key key-trail" }), ` ${t("lm.trail")}`));
}

function ageText(at, stale = false) {
  const age = ageSeconds(at);
  if (age === null) return t("lm.never");
  return `${duration(age)} ${t("lm.ago")}${stale || age > STALE_AFTER_S ? ` ⚠ ${t("lm.stale")}` : ""}`;
}

function isStale(officer) {
  const age = ageSeconds(officer.position?.at);
  return age === null || Boolean(officer.position?.stale) || age > STALE_AFTER_S;
}

function tip(layer, text) {
  if (layer.getTooltip()) layer.setTooltipContent(text); else layer.bindTooltip(text);
}

// Keep `layers` (id -> Leaflet layer) in step with `items` (id -> thing): add, update, remove.
function sync(layers, items, place, create, update) {
  for (const [id, layer] of layers) {
    if (!items.has(id) || !place(items.get(id))) { layer.remove(); layers.delete(id); }
  }
  for (const [id, item] of items) {
    const at = place(item);
    if (!at) continue;
    if (!layers.has(id)) layers.set(id, create(item, at));
    update(layers.get(id), item, at);
  }
}
