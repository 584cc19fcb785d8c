"""The committee's rules without I/O: the draw is reproducible from its seed and uses every
candidate fairly, 回避 holds for every (expert, application) pair, reserves stand in, and the
two-thirds rule at its edges."""
from __future__ import annotations

import itertools
import uuid

import pytest

from services.applications.panels import assigned, draw, shortfall
from services.applications.votes import tally


def people(n: int) -> list[str]:
    return sorted(str(uuid.uuid4()) for _ in range(n))


def test_the_same_seed_and_candidates_draw_the_same_panel_whatever_their_order():
    candidates = people(20)
    panel, reserves = draw(candidates, "00ff", 7, 3)
    assert (panel, reserves) == draw(list(reversed(candidates)), "00ff", 7, 3)
    assert len(panel) == 7 and len(reserves) == 3 and not set(panel) & set(reserves)
    assert set(panel + reserves) <= set(candidates)
    # Another seed, another draw (over many seeds, every candidate gets drawn sometimes).
    drawn = {p for seed in range(200) for p in draw(candidates, f"seed{seed}", 7, 3)[0]}
    assert drawn == set(candidates)
    with pytest.raises(ValueError):  # panels.make refuses a pool too small before it draws
        draw(candidates[:5], "00ff", 7, 0)


def test_no_expert_reviews_an_applicant_of_their_own_unit_and_reserves_stand_in():
    experts = people(10)
    units = {e: f"unit{i % 4}" for i, e in enumerate(experts)}
    for seed in range(50):
        panel, reserves = draw(experts, str(seed), 5, 5)
        for unit in ("unit0", "unit1", "unit2", "unit3", "elsewhere"):
            reviewers = assigned(panel, reserves, units, unit)
            assert all(units[r] != unit for r in reviewers)  # 回避 for every pair
            conflicted = sum(units[p] == unit for p in panel)
            spare = [r for r in reserves if units[r] != unit]
            assert reviewers == [p for p in panel if units[p] != unit] + spare[:conflicted]
            assert len(reviewers) == min(5, 5 - conflicted + len(spare))


@pytest.mark.parametrize(("agree", "disagree", "abstain", "passed"), [
    (5, 2, 0, True),  # 5 of 7 pass
    (4, 3, 0, False),  # 4 of 7 fail
    (4, 0, 3, False),  # abstentions take part: 4 of 7 still fail
    (4, 2, 0, True),  # two thirds exactly (4 of 6)
    (2, 1, 0, True),
    (1, 0, 1, False),
    (7, 0, 0, True),
    (0, 0, 0, None),  # nobody voted: no result
])
def test_two_thirds_of_those_who_took_part_must_agree(agree, disagree, abstain, passed):
    result = tally(["agree"] * agree + ["disagree"] * disagree + ["abstain"] * abstain)
    assert (result.agree, result.disagree, result.abstain) == (agree, disagree, abstain)
    assert result.participants == agree + disagree + abstain and result.passed is passed
    assert f"同意 {agree} 票，不同意 {disagree} 票，弃权 {abstain} 票" in result.text


def test_the_order_of_votes_does_not_matter():
    votes = ["agree"] * 5 + ["disagree", "abstain"]
    assert {tally(list(p)).passed for p in itertools.permutations(votes, 7)} == {True}


def test_the_shortfall_after_avoidance_counts_the_reserves_missing_for_the_worst_unit():
    panel, reserves = ["p1", "p2", "p3"], ["r1", "r2"]
    units = {"p1": "A", "p2": "A", "p3": "B", "r1": "A", "r2": "C"}
    # Unit A loses two panel members and has one reserve of another unit: one short.
    assert shortfall(panel, reserves, units, {"A"}) == 1
    assert shortfall(panel, reserves, units, {"B"}) == 0  # p3 out, r1 stands in
    assert shortfall(panel, reserves, units, {"A", "B", "D"}) == 1
    assert shortfall(panel, reserves, units, set()) == 0
