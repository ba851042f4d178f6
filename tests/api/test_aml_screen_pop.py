"""AML and the screen pop (issue 19): a position posted (HTTPS form) or texted (SMS gateway) for a
caller who is waiting is on the live view at once and on the seat's screen pop when it rings."""

from __future__ import annotations

import pytest

from tests.api.test_aml_over_http import GATEWAY_TOKEN, aml, form, sms  # noqa: F401 - `aml` is the fixture


@pytest.mark.parametrize("how", ["https", "sms"])
async def test_a_waiting_callers_aml_position_is_on_the_live_view_and_on_the_screen_pop(aml, how):  # noqa: F811
    number = "+6281234561" + ("001" if how == "https" else "002")
    async with aml.http.ws_connect(aml.sb.api_url + "/api/events",
                                   headers={"Authorization": f"Bearer {aml.admin}"}) as events:
        call = aml.sb.emulator.place_call(number=number)  # no seat logged in: the caller waits
        incident_id = await aml.incident_of_waiting_call(number)
        if how == "https":
            result = await aml.post("/api/aml", data=form(number))
        else:
            result = await aml.post(f"/api/aml/sms?msisdn={number}", token=GATEWAY_TOKEN, data=sms(),
                                    headers={"Content-Type": "text/plain"})
        assert result["matched"] is True and result["incident_id"] == incident_id
        async with aml.http.get(aml.sb.api_url + "/api/live",
                                headers={"Authorization": f"Bearer {aml.admin}"}) as response:
            [waiting] = (await response.json())["waiting"]
        assert waiting["location"]["source"] == "aml" and waiting["incident_id"] == incident_id
        await aml.sb.controller.request(lambda: aml.sb.controller.seats.login("seat01"))
        while (ring := await events.receive_json(timeout=8))["kind"] != "seat_ringing":
            pass
        expected = (-6.98123, 14.0, "gnss") if how == "https" else (-6.99001, 25.0, "wifi")
        assert ring["incident_id"] == incident_id
        assert (ring["location"]["latitude"], ring["location"]["accuracy_m"], ring["location"]["method"]) == expected
        aml.sb.emulator.hang_up(call)
