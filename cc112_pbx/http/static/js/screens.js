// Which screens exist and who sees them. A new screen (the map of issue 17, the QC page of issue 18)
// is one line here and one module in screens/ exporting `mount(ctx, el)`, which returns
// `{ refresh(), onNotice(notice), unmount() }`. Roles not listed anywhere simply see no screen yet.
export const SCREENS = [
  { id: "calltaker", label: "nav.calltaker", roles: ["call_taker"], load: () => import("./screens/calltaker.js") },
  { id: "wallboard", label: "nav.wallboard", roles: ["supervisor", "admin"], load: () => import("./screens/wallboard.js") },
  { id: "incidents", label: "nav.incidents", roles: ["call_taker", "supervisor", "admin"],
    load: () => import("./screens/incidents.js") },
  { id: "queue", label: "nav.queue", roles: ["supervisor", "admin"], load: () => import("./screens/queue.js") },
  { id: "seats", label: "nav.seats", roles: ["admin"], load: () => import("./screens/seats.js") },
  { id: "users", label: "nav.users", roles: ["admin"], load: () => import("./screens/users.js") },
  { id: "audit", label: "nav.audit", roles: ["supervisor", "admin"], load: () => import("./screens/audit.js") },
  { id: "reports", label: "nav.reports", roles: ["supervisor", "admin"], load: () => import("./screens/call_tag_report.js") },
  { id: "map", label: "nav.map", roles: ["call_taker", "supervisor", "admin"], load: () => import("./screens/map.js") },
  { id: "agency", label: "nav.agency", roles: ["agency_dispatcher"], load: () => import("./screens/agency.js") },
  { id: "officer", label: "nav.officer", roles: ["officer"], load: () => import("./screens/officer.js") },
  { id: "qc", label: "nav.qc", roles: ["qc_evaluator", "call_taker", "supervisor", "admin"],
    load: () => import("./screens/qc.js") },
];

export function screensFor(role) {
  return SCREENS.filter((s) => s.roles.includes(role));
}
