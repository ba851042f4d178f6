// The dispatch API of issue 17 (docs/contracts.md, "Dispatch, agencies, officers and positions"), in one
// place: the screens call these and never build the paths themselves. `notices` reads the WebSocket's
// dispatch, officer and position notices.
import { api, ApiError, request } from "./api.js";
import { lang } from "./i18n.js";

const OPEN_INCIDENTS = "new,in_progress,verified,dispatched,resolved";

export const dispatchApi = {
  agencies: () => api.get("/api/agencies"),
  officers: () => api.get("/api/officers"),
  officer: (officerId) => api.get(`/api/officers/${officerId}`),
  setAvailable: (officerId, available) => api.patch(`/api/officers/${officerId}`, { available }),
  trail: async (officerId, minutes = 60) => (await api.get(`/api/officers/${officerId}/trail?minutes=${minutes}`)).points,
  dispatches: () => api.get("/api/dispatches?open=true"),
  forIncident: (incidentId) => api.get(`/api/incidents/${incidentId}/dispatches`),
  suggestions: (incidentId) => api.get(`/api/incidents/${incidentId}/dispatch-suggestions`),
  create: async (incidentId, body) => (await api.post(`/api/incidents/${incidentId}/dispatches`, body)).dispatches,
  // {status, officer_id?, reason?, report?} -> the dispatch as it is now
  move: (dispatchId, status, extra = {}) => api.post(`/api/dispatches/${dispatchId}/transition`, { status, ...extra }),
  // the assigned officer accepts their assignment -> the dispatch (acknowledged_at set; still "assigned")
  acknowledge: (dispatchId) => api.post(`/api/dispatches/${dispatchId}/acknowledge`, {}),
  photo: (dispatchId, file) => request("PUT", `/api/dispatches/${dispatchId}/photo`, file,
                                       { headers: { "Content-Type": file.type || "image/jpeg" } }),
  photoOf: (dispatchId) => api.raw(`/api/dispatches/${dispatchId}/photo`),
  assignments: () => api.get("/api/officer/assignments"),
  reporterInformed: (incidentId, callback = false) => api.post(`/api/incidents/${incidentId}/reporter-informed`, { callback }),
  close: (incidentId, override = false) => api.post(`/api/incidents/${incidentId}/status`,
                                                    override ? { status: "closed", override: true } : { status: "closed" }),
  // the incidents to draw: open ones (a call taker's own, as the API scopes them; none for agency roles)
  async mapIncidents() {
    const page = await api.get(`/api/incidents?status=${OPEN_INCIDENTS}&limit=200`);
    return page.items;
  },
};

// What went wrong, in the UI's language: the API's Indonesian `message_id` when there is one
export function said(exc) {
  if (exc instanceof ApiError && lang() === "id" && exc.messageId) return exc.messageId;
  return exc?.message || String(exc);
}

// A dispatch as it is now, from what was shown and what arrived: a notice can overtake the HTTP answer
// (or the other way round), so an older state never replaces a newer one.
export function latest(shown, incoming) {
  if (!shown) return incoming;
  if (shown.updated_at && incoming.updated_at && incoming.updated_at < shown.updated_at) return shown;
  return { ...shown, ...incoming };
}

export const notices = {
  // {officerId, position} from a position notice, else null
  position(n) {
    return n.kind === "officer_position" && n.position ? { officerId: n.officer_id, position: n.position } : null;
  },
  dispatch(n) { return n.kind === "dispatch_changed" && n.dispatch ? n.dispatch : null; },
  officer(n) { return n.kind === "officer_changed" && n.officer ? n.officer : null; },
  // a dispatch not accepted in time: {id, overdue: true}
  overdue(n) { return n.kind === "dispatch_overdue" ? { id: n.dispatch_id, incident_id: n.incident_id, overdue: true } : null; },
};
