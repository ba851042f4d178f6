"""`bench.stats.percentile`, the one percentile of the bench and the demo's report."""

from cc112_pbx.bench.stats import percentile, summary_ms


def test_percentile_is_the_nearest_rank_of_the_sorted_values():
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert [percentile(values, q) for q in (0, 50, 99, 100)] == [1.0, 3.0, 5.0, 5.0]
    assert percentile(list(range(101)), 99) == 99
    assert values == [5.0, 1.0, 4.0, 2.0, 3.0]  # the caller's list is left as it was


def test_percentile_of_one_value_is_that_value_and_of_none_is_none():
    assert percentile([7.5], 50) == percentile([7.5], 99) == 7.5
    assert percentile([], 50) is None


def test_summary_ms_gives_p50_p99_max_and_count_in_milliseconds():
    assert summary_ms([0.001, 0.002, 0.010]) == {"p50": 2.0, "p99": 10.0, "max": 10.0, "n": 3}
    assert summary_ms([]) == {"p50": None, "p99": None, "max": None, "n": 0}
