// Feeds a LiveMap: loads incidents, officers, agencies and open dispatches from the API, keeps them
// current from the WebSocket (positions, officer and dispatch changes), and loads an officer's trail
// over the last hour on click. Used by the map screen and the agency dispatcher's screen.
import { dispatchApi, notices } from "./dispatch_api.js";
import { debounce } from "./dom.js";
import { LiveMap } from "./live_map.js";

const STAFF = ["admin", "supervisor", "call_taker"];  // the roles that may list incidents

export class LiveMapFeed {
  constructor(holder, ctx, { onDispatches, officerControls } = {}) {
    this.ctx = ctx;
    this.onDispatches = onDispatches;
    this.map = new LiveMap(holder, ctx.config?.map || {}, { onTrail: (id) => this.trail(id), officerControls });
    this.ready = this.map.start();
    this.reload = debounce(() => this.refresh().catch(() => {}), 300);
    this.slow = setInterval(() => { if (ctx.isLive?.()) this.reload(); }, 30000);  // incidents moved or edited
  }

  async refresh() {
    await this.ready;
    const [incidents, officers, dispatches, agencies] = await Promise.all([
      STAFF.includes(this.ctx.me.role) ? dispatchApi.mapIncidents().catch(() => []) : [],
      dispatchApi.officers(), dispatchApi.dispatches(), dispatchApi.agencies().catch(() => [])]);
    this.map.setAgencies(agencies);
    this.map.setIncidents(withScenes(incidents, dispatches));
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
      if (!this.map.incidents.has(dispatch.incident_id) && dispatch.scene) {
        this.map.upsertIncident({ id: dispatch.incident_id, ...dispatch.scene, priority: dispatch.priority, status: "dispatched" });
      }
      this.map.upsertDispatch(dispatch);
      this.onDispatches?.([...this.map.dispatches.values()]);
      return;
    }
    const overdue = notices.overdue(notice);
    if (overdue && this.map.dispatches.has(overdue.id)) {
      this.map.upsertDispatch(overdue);
      this.onDispatches?.([...this.map.dispatches.values()]);
      return;
    }
    const officer = notices.officer(notice);
    if (officer) { this.map.upsertOfficer(officer); return; }
    if (["incident_opened", "incident_changed"].includes(notice.kind)) this.reload();
  }

  stop() { clearInterval(this.slow); this.reload.cancel(); this.map.stop(); }
}

// the incidents listed, plus the scenes of dispatches whose incident is not (an agency dispatcher
// cannot list incidents: the dispatch's scene stands for it)
function withScenes(incidents, dispatches) {
  const byId = new Map(incidents.map((i) => [i.id, i]));
  for (const d of dispatches) {
    if (!byId.has(d.incident_id) && d.scene) {
      byId.set(d.incident_id, { id: d.incident_id, ...d.scene, priority: d.priority, status: "dispatched" });
    }
  }
  return [...byId.values()];
}
