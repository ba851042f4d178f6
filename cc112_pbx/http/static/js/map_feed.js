// Feeds a LiveMap: loads incidents, officers and dispatches from the API, keeps them current from
// the WebSocket (positions, dispatch changes), and loads an officer's trail on click. Used by the map
// screen and the agency dispatcher's screen.
import { dispatchApi, notices } from "./dispatch_api.js";
import { debounce } from "./dom.js";
import { LiveMap } from "./live_map.js";

export class LiveMapFeed {
  constructor(holder, ctx, { onDispatches } = {}) {
    this.ctx = ctx;
    this.onDispatches = onDispatches;
    this.map = new LiveMap(holder, ctx.config?.map || {}, { onTrail: (id) => this.trail(id) });
    this.ready = this.map.start();
    this.reload = debounce(() => this.refresh().catch(() => {}), 300);
  }

  async refresh() {
    await this.ready;
    const [incidents, officers, dispatches] = await Promise.all([
      dispatchApi.mapIncidents(this.ctx.me).catch(() => []), dispatchApi.officers(), dispatchApi.dispatches()]);
    this.map.setIncidents(incidents);
    this.map.setOfficers(officers);
    this.map.setDispatches(dispatches);
    this.onDispatches?.(dispatches);
  }

  async trail(officerId) {
    let points;
    try { points = await dispatchApi.trail(officerId); } catch { return; }  // not allowed or gone: no trail
    this.map.showTrail(officerId, points);
    this.map.renderList();
  }

  onNotice(notice) {
    const position = notices.position(notice);
    if (position) {
      if (!this.map.moveOfficer(position.officerId, position.position)) this.reload();
      return;
    }
    const dispatch = notices.dispatch(notice);
    if (dispatch) {
      this.map.upsertDispatch(dispatch);
      if (!this.map.incidents.has(dispatch.incident_id)) this.reload();
      this.onDispatches?.([...this.map.dispatches.values()]);
      return;
    }
    const officer = notices.officer(notice);
    if (officer) { this.map.upsertOfficer(officer); return; }
    if (["incident_opened", "incident_changed", "incident_status"].includes(notice.kind)) this.reload();
  }

  stop() { this.reload.cancel(); this.map.stop(); }
}
