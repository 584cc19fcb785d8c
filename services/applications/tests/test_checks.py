"""开始检测's rules as pure functions: each on a draft that fails it and on one that passes."""
from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest

from services.applications import checks
from shared.events.catalogue import PlanSnapshot

TODAY = dt.date(2026, 6, 1)


def plan(**standard_changes) -> PlanSnapshot:
    standard = {"groups": [], "attachments": [{"kind": "id_card_front", "required": True, "note": ""},
                                              {"kind": "pledge", "required": True, "note": ""},
                                              {"kind": "diploma", "required": False, "note": ""}],
                "eligibility": {"min_years": [{"form": "regular", "level": "senior_associate", "years": 5}],
                                "min_education": "bachelor", "requires_current_title": True, "extra_sections": []}}
    standard.update(standard_changes)
    return PlanSnapshot.model_validate({
        "id": str(uuid.uuid4()), "revision": 1, "status": "published", "organizer_id": str(uuid.uuid4()),
        "organizer_name": "组建单位", "year": 2026, "name": "测试计划", "committee": "评委会", "levels": ["senior_associate"],
        "plan_type": "review", "series": "engineering", "start_date": "2026-01-01", "end_date": "2026-12-31",
        "has_interview": False, "scope": "", "content": "", "majors": ["建筑工程"],
        "titles": [{"level": "senior_associate", "name": "高级工程师"}], "forms": ["regular", "exceptional"],
        "stages": [], "attachments": [], "standard": standard, "published_at": None, "closed_at": None})


PROFILE = {"ethnicity": "汉族", "political_status": "群众", "mobile": "13800000000", "work_start_date": "2010-07-01",
           "years_of_work": 15, "years_in_profession": 12, "profession": "结构设计", "photo_file_id": str(uuid.uuid4())}
GOOD = checks.Draft(
    form="regular", level="senior_associate", profile=PROFILE, teacher_profile=None,
    current_titles=[{"title_name": "工程师", "obtained_on": "2020-12-01"}],
    attachments=[{"kind": "id_card_front", "file_id": "f1"}, {"kind": "pledge", "file_id": "f2"}], extra={},
    items={"education": [{"fields": {"education": "大学本科"}, "highest": True}],
           "annual_assessment": [{"fields": {"year": 2025}, "assessment": "合格"}],
           "work_experience": [{"fields": {}}]},
    plan=plan(), bound=True, ban_until=None, today=TODAY,
    sections=[("work_experience", "工作经历", 1, 3), ("education", "学历教育", 1, 10)])


def failing(d: checks.Draft) -> dict[str, list[str]]:
    return {f.code: f.problems for f in checks.run_checks(d) if not f.ok}


def test_a_complete_draft_meets_every_check():
    assert failing(GOOD) == {}


@pytest.mark.parametrize(("change", "code", "says"), [
    ({"profile": {**PROFILE, "ethnicity": "", "mobile": None}}, "profile", "民族、手机号码"),
    ({"profile": {**PROFILE, "photo_file_id": None}}, "photo", "证件照"),
    ({"profile": {**PROFILE, "years_in_profession": 16}}, "profession_years", "不能大于工作年限"),
    ({"teacher_profile": {"teacher_category": "小学教师"}}, "teacher_profile", "教龄"),
    ({"teacher_profile": {**dict.fromkeys(checks.TEACHER_REQUIRED, "x"), "principal_training": True}},
     "teacher_profile", "培训证明"),
    ({"current_titles": []}, "current_title", "现有职称"),
    ({"current_titles": [{"title_name": "工程师", "obtained_on": "2021-06-02"}]}, "years_in_title", "至今 4 年"),
    ({"current_titles": [{"title_name": "工程师"}]}, "years_in_title", "取得时间"),
    ({"items": {**GOOD.items, "education": [{"fields": {"education": "大学本科"}, "highest": False}]}},
     "highest_education", "最高学历"),
    ({"items": {**GOOD.items, "education": [{"fields": {"education": "大专"}, "highest": True}]}},
     "min_education", "不低于大学本科，您的最高学历为大专"),
    ({"items": {**GOOD.items, "annual_assessment": [{"fields": {"year": 2024}, "assessment": None}]}},
     "assessments", "2024"),
    ({"attachments": [{"kind": "id_card_front", "file_id": "f1"}]}, "attachments", "职称申报承诺书"),
    ({"form": "exceptional", "extra": {"reason": " "}}, "extra", "破格申报理由"),
    ({"items": {**GOOD.items, "work_experience": []}}, "count:work_experience", "至少需要 1 项"),
    ({"items": {**GOOD.items, "work_experience": [{}] * 4}}, "count:work_experience", "最多 3 项"),
    ({"bound": False}, "unit", "绑定"),
    ({"ban_until": dt.date(2027, 1, 1)}, "integrity", "2027-01-01"),
    ({"today": dt.date(2027, 1, 1)}, "window", "2026-01-01 至 2026-12-31"),
])
def test_each_check_names_what_to_fix(change, code, says):
    found = failing(dataclasses.replace(GOOD, **change))
    assert list(found) == [code], found
    assert says in "".join(found[code])


def test_years_in_title_counts_whole_years_and_only_for_its_form_and_level():
    assert checks.years_between(dt.date(2021, 6, 1), TODAY) == 5
    assert checks.years_between(dt.date(2021, 6, 2), TODAY) == 4
    young = {"current_titles": [{"title_name": "工程师", "obtained_on": "2025-01-01"}]}
    assert "years_in_title" in failing(dataclasses.replace(GOOD, **young))
    # Exceptional applications (破格) have no minimum in this standard.
    assert failing(dataclasses.replace(GOOD, form="exceptional", extra={"reason": "业绩突出"}, **young)) == {}


def test_rules_the_standard_does_not_set_are_not_checked():
    lenient = plan(attachments=[], eligibility={"min_years": [], "min_education": None,
                                                "requires_current_title": False, "extra_sections": []})
    bare = dataclasses.replace(GOOD, plan=lenient, current_titles=[], attachments=[],
                               items={**GOOD.items, "education": [{"fields": {"education": "中专"}, "highest": True}]})
    assert failing(bare) == {}


def test_a_returned_application_may_be_resubmitted_after_the_window_while_the_plan_is_open():
    late = dataclasses.replace(GOOD, today=dt.date(2027, 1, 1), returned=True)
    assert failing(late) == {}
    closed = dataclasses.replace(late, plan=GOOD.plan.model_copy(update={"status": "closed"}))
    assert list(failing(closed)) == ["window"]
