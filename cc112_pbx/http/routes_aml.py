"""Advanced Mobile Location (issue 19): handsets' positions from an operator's AML endpoint (form
fields) or an SMS gateway (the SMS text). A sender authenticates with its own bearer token (the
SHA-256 of each sender's token is in `[aml] senders`), never with a user's API token."""

from __future__ import annotations

from aiohttp import web

from cc112_pbx.http.auth import bearer_token
from cc112_pbx.http.routing import Param, Route, services

FIELDS = ("v", "thisMsgNum", "msisdn", "device_number", "lt", "lg", "rd", "top", "lc", "pm", "si", "ei", "mcc",
          "mnc", "ml")
FORM = {"type": "object", "properties": {name: {"type": "string"} for name in FIELDS}}
SMS = {"type": "string", "maxLength": 2000,
       "example": 'A"ML=1;lt=-6.98123;lg=+110.40912;rd=12;top=20260301093015;lc=68;pm=G;si=510100000000000;'
                  "ei=355458061005220;mcc=510;mnc=10;ml=124"}
RESULT = {"type": "object", "required": ["id", "duplicate", "matched", "incident_id"], "properties": {
    "id": {"type": "integer"}, "duplicate": {"type": "boolean"}, "matched": {"type": "boolean"},
    "incident_id": {"type": ["integer", "null"]}}}
DUPLICATE = {200: RESULT}


def _answer(result: dict) -> web.Response:
    return web.json_response(result, status=200 if result["duplicate"] else 202)


async def post_form(request: web.Request) -> web.Response:
    aml = services(request).aml
    sender = aml.sender_for(bearer_token(request))
    form = await request.post()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    return _answer(await aml.receive_form(sender, fields))


async def post_sms(request: web.Request) -> web.Response:
    aml = services(request).aml
    sender = aml.sender_for(bearer_token(request))
    try:
        text = (await request.read()).decode("utf-8")
    except UnicodeDecodeError:
        raise web.HTTPBadRequest(reason="the SMS text is not UTF-8") from None
    return _answer(await aml.receive_sms(sender, text, request.query.get("msisdn")))


ROUTES = (
    Route("POST", "/api/aml", post_form, "An AML position as form fields (ETSI TS 103 625 HTTPS): 202 stored "
          "(with whether it matched a call), 200 a message stored already, 422 naming every bad field (nothing "
          "stored)", "aml_sender", "aml", ok=202, body=FORM, body_type="application/x-www-form-urlencoded",
          response=RESULT, other_responses=DUPLICATE, errors=(400, 401, 422)),
    Route("POST", "/api/aml/sms", post_sms, "An AML SMS text as forwarded by an SMS gateway (`msisdn`: the SMS's "
          "sender): 202 stored, 200 a message stored already, 422 naming every bad field (nothing stored)",
          "aml_sender", "aml", ok=202, body=SMS, body_type="text/plain", response=RESULT, other_responses=DUPLICATE,
          params=(Param("msisdn", description="the number that sent the SMS (E.164 or Indonesian)"),),
          errors=(400, 401, 422)),
)
