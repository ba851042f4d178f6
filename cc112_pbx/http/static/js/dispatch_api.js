// The dispatch API of issue 17 (docs/contracts.md, "Dispatch"), in one place: the screens call these
// and never build the paths themselves. `notices` reads the WebSocket's dispatch and position notices.
import { api } from "./api.js";

const OPEN_INCIDENTS = "new,in_progress,verified,dispatched,resolved";

export const dispatchApi = {
  agencies: () => api.get("/api/agencies"),
  officers: () => api.get("/api/officers"),
  trail: (officerId) => api.get(`/api/officers/${officerId}/trail`),
  dispatches: (query = "") => api.get(`/api/dispatches${query ? `?${query}` : ""}`),
  forIncident: (incidentId) => api.get(`/api/incidents/${incidentId}/dispatches`),
  suggestions: (incidentId) => api.get(`/api/incidents/${incidentId}/dispatch-suggestions`),
  create: (incidentId, body) => api.post(`/api/incidents/${incidentId}/dispatches`, body),
  act: (dispatchId, action, body = {}) => api.post(`/api/dispatches/${dispatchId}/${action}`, body),
  mine: () => api.get("/api/my/dispatches"),
  report: (dispatchId, body) => api.post(`/api/dispatches/${dispatchId}/report`, body),
  reporterInformed: (incidentId) => api.post(`/api/incidents/${incidentId}/reporter-informed`, {}),
  informCallback: (incidentId) => api.post(`/api/incidents/${incidentId}/inform-callback`, {}),
  close: (incidentId, override = false) => api.post(`/api/incidents/${incidentId}/status`,
                                                    override ? { status: "closed", override: true } : { status: "closed" }),
  // the incidents to draw: open ones with a position (a call taker's own, as the API scopes them)
  async mapIncidents() {
    const page = await api.get(`/api/incidents?status=${OPEN_INCIDENTS}&limit=200`);
    return page.items;
  },
};

export const notices = {
  // {officerId, position} from a position notice, else null
  position(n) {
    if (n.kind !== "officer_position") return null;
    const p = n.position || n;
    return { officerId: n.officer_id, position: { lat: p.lat ?? p.latitude, lon: p.lon ?? p.longitude,
                                                 at: p.at ?? p.timestamp ?? p.fixed_at, speed: p.speed } };
  },
  dispatch(n) {
    if (!["dispatch_created", "dispatch_changed", "dispatch_status"].includes(n.kind)) return null;
    return n.dispatch || n;
  },
  officer(n) {
    if (n.kind !== "officer_status") return null;
    return n.officer || { id: n.officer_id, status: n.status };
  },
};
