"""A plan and its standard are checked whole; every error names its field in Chinese, with the
group and category it belongs to. A published plan takes only corrections."""
from __future__ import annotations

import datetime as dt

import pytest

from services.plans.corrections import refused_changes
from services.plans.plans import _validated
from services.plans.schemas import PlanIn
from services.plans.tests.factories import category, plan
from services.plans.validation import InvalidFields
from shared.events.catalogue import PlanSnapshot


def errors_of(data: dict) -> dict[str, dict]:
    with pytest.raises(InvalidFields) as caught:
        _validated(PlanIn.model_validate(data))
    assert caught.value.status_code == 422
    return {e["field"]: e for e in caught.value.errors}


def test_a_valid_plan_gets_ids_and_default_hints():
    columns = _validated(PlanIn.model_validate(plan()))
    groups = columns["standard"].groups
    assert [g.name for g in groups] == ["能力条件", "业绩条件", "教科研条件"]
    hints = [c.hint for g in groups for c in g.categories]
    assert hints == ["至少填写1项，最多5项", "须为取得现职称以来的业绩", "选填，最多5项", "至少填写1项，最多5项"]
    assert len({c.id for g in groups for c in g.categories}) == 4 and all(s.id for s in columns["stages"])


def test_min_above_max_names_the_category():
    data = plan()
    category(data, 1, 0).update(min_count=4, max_count=3)
    error = errors_of(data)["standard.groups.1.categories.0.min_count"]
    assert error["label"] == "第2个条件组「业绩条件」第1个类别「取得业绩」的最少项数"
    assert "不能大于最多项数（3）" in error["message"]


def test_unknown_and_foreign_entry_types_are_refused():
    data = plan()
    category(data).update(entry_types=["work_experience", "horoscope"])
    category(data, 2).update(entry_types=["health_case"])  # 卫生系列专用, in an engineering plan
    errors = errors_of(data)
    assert "不存在业绩类型“horoscope”" in errors["standard.groups.0.categories.0.entry_types"]["message"]
    assert "卫生系列专用" in errors["standard.groups.2.categories.0.entry_types"]["message"]


def test_a_group_needs_a_category_and_a_standard_a_group():
    data = plan()
    data["standard"]["groups"][2]["categories"] = []
    assert errors_of(data)["standard.groups.2.categories"]["message"] == "至少设置一个申报类别"
    data["standard"]["groups"] = []
    assert "至少设置一个条件组" in errors_of(data)["standard.groups"]["message"]


def test_plan_fields_are_named_all_at_once():
    data = plan(name=" ", end_date="2025-12-31", start_date="2026-01-01", levels=[], majors=["  "], stages=[],
                series="astrology")
    data["titles"] = [{"level": "junior", "name": "助理工程师"}]
    errors = errors_of(data)
    assert errors["end_date"]["label"] == "申报截止日期" and errors["end_date"]["message"] == "不能早于申报开始日期"
    assert errors["name"]["label"] == "计划名称" and errors["levels"]["label"] == "评审级别"
    assert {"majors", "stages", "series", "titles.0.level"} <= set(errors)


def test_eligibility_rules_must_fit_the_plan():
    data = plan()
    data["standard"]["eligibility"]["min_years"] = [{"form": "transfer", "level": "senior_full", "years": 3}]
    data["standard"]["eligibility"]["min_education"] = "kindergarten"
    data["standard"]["attachments"] = [{"kind": "selfie"}]
    errors = errors_of(data)
    assert "申报形式之一" in errors["standard.eligibility.min_years.0.form"]["message"]
    assert "评审级别之一" in errors["standard.eligibility.min_years.0.level"]["message"]
    assert {"standard.eligibility.min_education", "standard.attachments.0.kind"} <= set(errors)


def test_a_required_category_needs_at_least_one_entry():
    data = plan()
    category(data).update(min_count=0, required=True)
    assert "至少应填写 1 项" in errors_of(data)["standard.groups.0.categories.0.min_count"]["message"]


def _snapshot(data: dict) -> PlanSnapshot:
    import uuid

    columns = _validated(PlanIn.model_validate(data))
    return PlanSnapshot.model_validate({**columns, "id": uuid.uuid4(), "revision": 1, "status": "published",
                                        "organizer_id": uuid.UUID(int=1), "organizer_name": "组建单位",
                                        "attachments": [], "published_at": None, "closed_at": None})


def test_corrections_that_keep_applications_valid_are_allowed():
    data = plan()
    before = _snapshot(data)
    after = before.model_copy(update={
        "end_date": before.end_date.replace(year=before.end_date.year + 1), "majors": [*before.majors, "机械工程"],
        "content": "更正后的计划内容", "name": before.name + "（更正）",
        "standard": before.standard.model_copy(deep=True)})
    after.standard.groups[0].categories[0].hint = "新的温馨提示"
    assert refused_changes(before, after) == []


def test_changes_that_would_invalidate_applications_are_refused_with_reasons():
    before = _snapshot(plan())
    after = before.model_copy(deep=True, update={
        "end_date": before.end_date - dt.timedelta(days=1),
        "levels": ["senior_full"], "majors": before.majors[:1], "year": 2027, "stages": before.stages[:1]})
    after.standard.groups[1].categories[0].max_count = 9
    refused = {e["field"]: e for e in refused_changes(before, after)}
    assert set(refused) == {"end_date", "levels", "majors", "year", "stages", "standard"}
    assert "只能延后" in refused["end_date"]["message"] and "电子信息" in refused["majors"]["message"]


def test_missing_values_are_named_together_with_the_other_problems():
    data = plan()
    for field in ("year", "start_date", "end_date", "series"):
        data.pop(field)
    category(data).update(min_count=9, max_count=2)
    errors = errors_of(data)
    assert {f: errors[f]["message"] for f in ("year", "start_date", "end_date", "series")} == {
        "year": "必填", "start_date": "必填", "end_date": "必填", "series": "请选择"}
    assert "standard.groups.0.categories.0.min_count" in errors
