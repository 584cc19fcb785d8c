"""The pure bookkeeping of the deadline-day load driver and the volume seed (nothing timed)."""
from __future__ import annotations

import random

from bench.deadline_day import MIX, Stats, arrivals, choose
from bench.seed_volume import REGION, entries_per_person, field_values, person_number
from shared.entry_types import ENTRY_TYPES
from shared.idnumbers import parse_id_number


def test_poisson_arrivals_keep_the_rate_and_stay_inside_the_step():
    times = arrivals(200, 30, random.Random(1))
    assert 5700 < len(times) < 6300  # 6,000 expected; a Poisson count's sd is ~77
    assert times == sorted(times) and 0 < times[0] and times[-1] < 30


def test_uniform_arrivals_are_evenly_spaced_and_no_rate_means_no_arrivals():
    assert arrivals(4, 1, random.Random(1), poisson=False) == [0, 0.25, 0.5, 0.75]
    assert arrivals(0, 10, random.Random(1)) == []


def test_the_mix_follows_its_weights_and_never_draws_a_weightless_type():
    drawn = choose(MIX, 20_000, random.Random(2))
    weights = dict(MIX)
    share = drawn.count("section") / len(drawn)
    assert abs(share - weights["section"] / sum(weights.values())) < 0.015
    assert "remove item" not in drawn  # it only follows an import


def test_latency_counts_from_the_scheduled_start_and_lateness_is_kept_apart():
    stats = Stats()
    stats.record("home", 200, scheduled=10.0, started=10.2, ended=10.25)  # started 200 ms late
    stats.record("home", 502, scheduled=11.0, started=11.0, ended=11.01)
    stats.record("submit", 422, scheduled=12.0, started=12.0, ended=12.02)  # the expected refusal
    assert [round(v) for v in stats.latencies["home"]] == [250, 10]
    assert stats.late() == 1
    assert stats.ok("home") == 1 and stats.errors("home") == {502: 1}
    assert stats.ok("submit") == 1 and stats.errors("submit") == {}
    total = stats.rows(seconds=2)[-1]
    assert total[:4] == ("ALL", 3, 2, {502: 1}) and total[-1] == 1.5


def test_seeded_identity_numbers_are_valid_unique_and_marked():
    numbers = [person_number(i) for i in range(0, 200_000, 7)]
    assert len(set(numbers)) == len(numbers)
    assert all(n.startswith(REGION) and parse_id_number(n).number == n for n in numbers)


def test_entries_are_spread_over_persons_and_every_required_field_is_filled():
    assert list(entries_per_person(23, 5)) == [5, 5, 5, 4, 4]
    rng = random.Random(3)
    for kind in ENTRY_TYPES.values():
        values = field_values(kind, rng, 0)
        assert all(spec.code in values for spec in kind.fields if spec.required), kind.code
        assert all(values[s.code] in s.choices for s in kind.fields if s.type == "choice" and s.code in values)
    education = field_values(ENTRY_TYPES["education"], rng, 0)
    assert education["start_date"] < education["end_date"]
