"""Quality control (issue 18): the rubric, weekly samples, evaluations, responses and reports."""

from __future__ import annotations

import asyncio

from aiohttp import web

from cc112_pbx.http.auth import principal
from cc112_pbx.http.errors import json_body
from cc112_pbx.http.routing import ARRAY, OBJECT, PATH_ID, Param, Route, int_param, services
from cc112_pbx.services.api_errors import FieldProblem, Invalid

SAMPLE_ID = PATH_ID("sample_id")
EVALUATION_ID = PATH_ID("evaluation_id")
WEEK = Param("week", description="ISO week, YYYY-Www (default: the last finished week, in [http] time_zone)")
SCORES = {"type": "object", "required": ["scores"], "properties": {
    "scores": {"type": "object", "description": "element key -> {score: yes|no|na, comment}"},
    "comment": {"type": "string"}, "reason": {"type": "string"}}}
QC_ROLES = "qc_evaluator, supervisor, admin"
FORMATS = ("json", "csv", "html", "png")


async def rubric(request: web.Request) -> web.Response:
    return web.json_response(await services(request).qc.rubric(principal(request)))


async def rubric_put(request: web.Request) -> web.Response:
    body = await json_body(request)
    return web.json_response(await services(request).qc.change_rubric(principal(request), body))


async def rubric_history(request: web.Request) -> web.Response:
    return web.json_response(await services(request).qc.rubric_history(principal(request)))


async def draw(request: web.Request) -> web.Response:
    body = await json_body(request)
    result = await services(request).qc.draw(principal(request), body)
    return web.json_response(result, status=201 if result["created"] else 200)


async def samples(request: web.Request) -> web.Response:
    return web.json_response(await services(request).qc.samples(principal(request), request.query))


async def sample(request: web.Request) -> web.Response:
    sample_id = int_param(request, "sample_id")
    return web.json_response(await services(request).qc.sample_detail(principal(request), sample_id))


async def swap(request: web.Request) -> web.Response:
    sample_id = int_param(request, "sample_id")
    body = await json_body(request)
    return web.json_response(await services(request).qc.swap(principal(request), sample_id, body))


async def evaluate(request: web.Request) -> web.Response:
    sample_id = int_param(request, "sample_id")
    body = await json_body(request)
    return web.json_response(await services(request).qc.evaluate(principal(request), sample_id, body), status=201)


async def evaluations(request: web.Request) -> web.Response:
    return web.json_response(await services(request).qc.evaluations(principal(request), request.query))


async def evaluation(request: web.Request) -> web.Response:
    evaluation_id = int_param(request, "evaluation_id")
    return web.json_response(await services(request).qc.evaluation(principal(request), evaluation_id))


async def correct(request: web.Request) -> web.Response:
    evaluation_id = int_param(request, "evaluation_id")
    body = await json_body(request)
    return web.json_response(await services(request).qc.correct(principal(request), evaluation_id, body), status=201)


async def respond(request: web.Request) -> web.Response:
    evaluation_id = int_param(request, "evaluation_id")
    body = await json_body(request)
    return web.json_response(await services(request).qc.respond(principal(request), evaluation_id, body))


async def report(request: web.Request) -> web.Response:
    from cc112_pbx.reporting.qc_report import chart_png, to_csv, to_html

    fmt = request.query.get("format", "json")
    if fmt not in FORMATS:
        raise Invalid([FieldProblem("format", f"must be one of {', '.join(FORMATS)}")])
    figures = await services(request).qc.report(principal(request), request.query)
    if fmt == "json":
        return web.json_response(figures)
    name = f"qc-{figures['from']}" + (f"_{figures['to']}" if figures["to"] != figures["from"] else "")
    if fmt == "png":  # the chart alone (the console shows it)
        return web.Response(body=await asyncio.to_thread(chart_png, figures), content_type="image/png",
                            headers={"Cache-Control": "private, no-store"})
    if fmt == "csv":
        return web.Response(text=to_csv(figures), content_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"'})
    page = await asyncio.to_thread(to_html, figures)  # matplotlib draws the chart off the event loop
    return web.Response(text=page, content_type="text/html", headers={
        "Content-Disposition": f'inline; filename="{name}.html"', "Cache-Control": "private, no-store"})


ROUTES = (
    Route("GET", "/api/qc/rubric", rubric, "The QC rubric in force (elements, weights, n/a allowed)", "everyone",
          "qc", errors=(401,)),
    Route("PUT", "/api/qc/rubric", rubric_put, "Save a new rubric version (every element)", "admin", "qc",
          body={"type": "object", "required": ["elements"], "properties": {"elements": ARRAY}},
          description="422 names every bad element field; evaluations keep the version they were scored with."),
    Route("GET", "/api/qc/rubric/history", rubric_history, "Rubric versions, newest first", "qc", "qc",
          response=ARRAY, errors=(401, 403), description=f"Roles: {QC_ROLES}."),
    Route("POST", "/api/qc/samples", draw, "Draw a week's samples (idempotent: 200 with the draw already made)",
          "qc", "qc", ok=201, other_responses={200: OBJECT},
          body={"type": "object", "properties": {"week": {"type": "string"}, "seed": {"type": "integer"}}},
          description="Roles: qc_evaluator, admin. Two (`[qc] samples_per_taker`) answered, recorded calls "
                      "longer than `[qc] min_talk_time` per call taker; `shortfall` names takers with fewer."),
    Route("GET", "/api/qc/samples", samples, "A week's samples and its draw (seed, shortfall)", "qc", "qc",
          params=(WEEK,), errors=(400, 401, 403, 422), description=f"Roles: {QC_ROLES}."),
    Route("GET", "/api/qc/samples/{sample_id}", sample, "One sample: call, incident, timeline, signals, "
          "evaluations and the rubric", "qc", "qc", params=(SAMPLE_ID,), description=f"Roles: {QC_ROLES}."),
    Route("POST", "/api/qc/samples/{sample_id}/swap", swap, "Swap a sample for the next call of the same draw, "
          "with a reason", "qc", "qc", params=(SAMPLE_ID,),
          body={"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
          errors=(400, 401, 403, 404, 409, 422), description="Roles: qc_evaluator, admin."),
    Route("POST", "/api/qc/samples/{sample_id}/evaluations", evaluate, "Submit the evaluation of a sample "
          "(immutable once stored)", "qc", "qc", ok=201, params=(SAMPLE_ID,), body=SCORES,
          errors=(400, 401, 403, 404, 409, 422), description="Roles: qc_evaluator, admin; 409 when the sample "
          "is evaluated already (a change is a correction)."),
    Route("GET", "/api/qc/evaluations", evaluations, "Evaluations in force (a call taker: their own only)",
          "everyone", "qc", params=(WEEK, Param("seat")), response=ARRAY),
    Route("GET", "/api/qc/evaluations/{evaluation_id}", evaluation, "One evaluation with its rubric version "
          "(a call taker: their own only, 403 otherwise)", "everyone", "qc", params=(EVALUATION_ID,)),
    Route("POST", "/api/qc/evaluations/{evaluation_id}/corrections", correct, "Correct an evaluation: a new "
          "version supersedes it (audited, with a reason)", "qc", "qc", ok=201, params=(EVALUATION_ID,),
          body=SCORES, errors=(400, 401, 403, 404, 409, 422), description="Roles: qc_evaluator, admin."),
    Route("POST", "/api/qc/evaluations/{evaluation_id}/response", respond, "The evaluated call taker "
          "acknowledges or disputes (with a comment)", "everyone", "qc", params=(EVALUATION_ID,),
          body={"type": "object", "required": ["kind"], "properties": {
              "kind": {"enum": ["acknowledged", "disputed"]}, "comment": {"type": "string"}}}),
    Route("GET", "/api/qc/report", report, "Compliance per call taker and per element, trend, most missed "
          "(JSON, CSV, HTML with a chart, or the chart as PNG)", "qc", "qc",
          params=(WEEK, Param("from", description="first ISO week of a range"),
                  Param("to", description="last ISO week of a range"),
                  Param("format", schema={"enum": list(FORMATS)})),
          errors=(400, 401, 403, 422), description=f"Roles: {QC_ROLES}."),
)
