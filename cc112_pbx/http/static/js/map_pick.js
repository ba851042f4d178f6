// A map to pick the incident's position: Leaflet (vendored, loaded on first use). Tiles come from
// `[http] map_tile_url` only; with none configured the map is a plain coordinate grid and says so.
import { clear, h } from "./dom.js";
import { t, word } from "./i18n.js";

let loading = null;

export function loadLeaflet() {
  if (window.L) return Promise.resolve(window.L);
  loading ||= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/static/vendor/leaflet/leaflet.js";
    script.onload = () => resolve(window.L);
    script.onerror = () => reject(new Error("leaflet.js did not load"));
    document.head.append(script);
  });
  return loading;
}

export function gridLayer(L) {
  const Grid = L.GridLayer.extend({
    createTile(coords) {
      const tile = document.createElement("canvas");
      const size = this.getTileSize();
      tile.width = size.x;
      tile.height = size.y;
      const g = tile.getContext("2d");
      g.fillStyle = "#eef1f4";
      g.fillRect(0, 0, size.x, size.y);
      g.strokeStyle = "#b8c2cc";
      g.strokeRect(0, 0, size.x, size.y);
      const nw = this._map.unproject(coords.scaleBy(size), coords.z);
      g.fillStyle = "#56606b";
      g.font = "11px sans-serif";
      g.fillText(`${nw.lat.toFixed(3)}, ${nw.lng.toFixed(3)}`, 4, 13);
      return tile;
    },
  });
  return new Grid();
}

// A Leaflet map on `holder` with the configured tiles (or the coordinate grid): shared by every map screen.
export function baseMap(L, holder, mapConfig, center) {
  const map = L.map(holder, { center: center || mapConfig.center || [-6.9903, 110.4229], zoom: mapConfig.zoom || 13,
                              attributionControl: Boolean(mapConfig.tile_url) });
  if (mapConfig.tile_url) L.tileLayer(mapConfig.tile_url, { attribution: mapConfig.attribution || "", maxZoom: 19 }).addTo(map);
  else gridLayer(L).addTo(map);
  return map;
}

export async function openMapPick(panel, mapConfig, at, onPick) {
  if (!panel) return;
  if (!panel.hidden) { panel.hidden = true; return; }
  panel.hidden = false;
  const holder = h("div", { class: "map", id: "map" });
  const note = mapConfig.tile_url ? null : h("p", { class: "map-note", id: "map-note" }, t("map.no_tiles"));
  clear(panel, note, holder, h("button", { type: "button", class: "small", onclick: () => { panel.hidden = true; } },
                               t("map.close")));
  const L = await loadLeaflet();
  const center = at.lat !== null && at.lon !== null ? [at.lat, at.lon] : (mapConfig.center || [-6.9903, 110.4229]);
  const map = baseMap(L, holder, mapConfig, center);
  let marker = at.lat !== null && at.lon !== null ? L.circleMarker(center, { radius: 9 }).addTo(map) : null;
  if (at.aml) showAml(L, map, at.aml);
  map.on("click", (event) => {
    const { lat, lng } = event.latlng;
    if (marker) marker.setLatLng(event.latlng); else marker = L.circleMarker(event.latlng, { radius: 9 }).addTo(map);
    onPick(lat, lng);
  });
}

// Issue 19: the handset's AML position with its accuracy radius (metres, a Leaflet circle) and method
function showAml(L, map, aml) {
  const where = [aml.latitude, aml.longitude];
  const circle = L.circle(where, { radius: Math.max(1, aml.accuracy_m || 0), className: "aml-accuracy",
                                   color: "#c0392b", weight: 2, fillOpacity: 0.15 }).addTo(map);
  circle.bindTooltip(`AML ± ${Math.round(aml.accuracy_m || 0)} m · ${word(aml.method)}`,
                     { permanent: true, direction: "top", className: "aml-label" });
  map.fitBounds(circle.getBounds(), { maxZoom: 17 });
}
