"""Call tags in the domain: parsing, the repeat-prank flag and its window, the reports' counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cc112_pbx.domain.call_tags import (
    CallTag,
    NuisanceNumbers,
    PrankPolicy,
    TaggedCall,
    parse_tag,
    tag_statistics,
)

T0 = datetime(2026, 12, 6, 16, 30, tzinfo=UTC)  # 23:30 in Semarang (UTC+7)
JAKARTA = ZoneInfo("Asia/Jakarta")


def test_tags_are_parsed_from_their_names_only():
    assert parse_tag("prank") is CallTag.PRANK
    for bad in ("Prank", "spam", "", None, 3):
        with pytest.raises(ValueError, match="prank, abusive, ghost, silent"):
            parse_tag(bad)


def test_a_number_is_flagged_after_enough_pranks_inside_the_window():
    numbers = NuisanceNumbers(PrankPolicy(flag_after=3, flag_window=3600))
    for minutes in (70, 50, 20):
        numbers.add("+628111", T0 - timedelta(minutes=minutes))
    assert numbers.flag("+628111", T0) is None  # the one 70 minutes ago is out of the window
    numbers.add("+628111", T0 - timedelta(minutes=1))
    flag = numbers.flag("+628111", T0)
    assert flag is not None and (flag.pranks, flag.last_at) == (3, T0 - timedelta(minutes=1))
    numbers.remove("+628111", T0 - timedelta(minutes=1))  # untagged
    assert numbers.flag("+628111", T0) is None
    assert numbers.flag(None, T0) is None and numbers.flag("+628999", T0) is None


def test_flagging_can_be_turned_off_and_the_policy_is_checked():
    numbers = NuisanceNumbers(PrankPolicy(flag_after=0))
    numbers.add("+628111", T0)
    assert numbers.flag("+628111", T0) is None
    with pytest.raises(ValueError, match="flag_after"):
        PrankPolicy(flag_after=-1)
    with pytest.raises(ValueError, match="flag_window"):
        PrankPolicy(flag_window=0)


def test_statistics_count_by_tag_local_day_local_hour_and_number():
    tags = [TaggedCall("prank", "+628111", T0), TaggedCall("prank", "+628111", T0 + timedelta(minutes=40)),
            TaggedCall("ghost", None, T0), TaggedCall("abusive", "+628222", T0 + timedelta(hours=2))]
    stats = tag_statistics(tags, JAKARTA, top=1)
    assert stats["total"] == 4
    assert stats["by_tag"] == {"prank": 2, "abusive": 1, "ghost": 1, "silent": 0}
    # 23:30 and 00:10 local: two local days although all four are on one UTC day
    assert [(d["day"], d["total"]) for d in stats["by_day"]] == [("2026-12-06", 2), ("2026-12-07", 2)]
    assert stats["by_hour"][23]["total"] == 2 and stats["by_hour"][0]["prank"] == 1
    assert stats["by_hour"][1]["abusive"] == 1 and len(stats["by_hour"]) == 24
    assert stats["by_number"] == [{"number": "+628111", "total": 2, "prank": 2, "abusive": 0, "ghost": 0,
                                   "silent": 0}]
