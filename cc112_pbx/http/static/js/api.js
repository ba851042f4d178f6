// The public HTTP API, with the bearer token. Errors keep the API's shape: {code, message, fields...}.
import { fieldMessage } from "./i18n.js";
import { session } from "./session.js";

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "http";
    this.fields = error.fields || [];
    this.allowed = error.allowed;
    this.messageId = error.message_id;
  }
  // each field's messages, for showing beside the field
  byField() {
    const out = {};
    for (const f of this.fields) (out[f.field] ||= []).push(fieldMessage(f.message));
    return out;
  }
}

export class Offline extends Error {}

export async function request(method, path, body, { raw = false, headers = {} } = {}) {
  const init = { method, headers: { ...headers }, cache: "no-store" };
  const token = session.token;
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body instanceof Blob) {  // a file as it is (a photo), with the Content-Type the caller gave
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (exc) {
    throw new Offline(String(exc));
  }
  if (response.status === 401 && token && path !== "/api/login") session.expired();
  if (raw) {
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
    return response;
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body = {}) => request("POST", path, body),
  put: (path, body) => request("PUT", path, body),
  patch: (path, body) => request("PATCH", path, body),
  del: (path) => request("DELETE", path),
  raw: (path, headers) => request("GET", path, undefined, { raw: true, headers }),
};

// `/metrics` (Prometheus text) as {name: value} and {name{label="x"}: value}.
export function parseMetrics(text) {
  const out = {};
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    out[line.slice(0, cut)] = Number(line.slice(cut + 1));
  }
  return out;
}
