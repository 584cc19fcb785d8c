"""A valid plan, as the API takes it; tests change what they are about."""
from __future__ import annotations

import copy
import datetime as dt
import secrets
from typing import Any

from services.plans.window import today_in_shanghai

PLAN: dict[str, Any] = {
    "year": 2026, "name": "2026年度测试工程系列高级职称评审计划", "committee": "福建省工程系列高级职称评审委员会",
    "levels": ["senior_associate"], "plan_type": "review", "series": "engineering",
    "start_date": "2026-01-01", "end_date": "2026-12-31", "has_interview": True,
    "scope": "全省企事业单位工程技术人员。", "content": "# 申报条件\n- 取得工程师职称满5年",
    "majors": ["建筑工程", "电子信息"], "titles": [{"level": "senior_associate", "name": "高级工程师"}],
    "forms": ["regular", "exceptional"],
    "stages": [{"name": "用人单位审核", "party": "unit"}, {"name": "评委会评审", "party": "committee",
                                                          "party_name": "福建省工程系列高级职称评审委员会"}],
    "standard": {
        "groups": [
            {"name": "能力条件", "categories": [
                {"name": "工作经历", "entry_types": ["work_experience"], "min_count": 1, "max_count": 5, "required": True}]},
            {"name": "业绩条件", "categories": [
                {"name": "取得业绩", "entry_types": ["achievement"], "min_count": 1, "max_count": 3, "required": True,
                 "hint": "须为取得现职称以来的业绩"},
                {"name": "专利", "entry_types": ["patent"], "min_count": 0, "max_count": 5}]},
            {"name": "教科研条件", "categories": [
                {"name": "发表论文", "entry_types": ["paper"], "min_count": 1, "max_count": 5, "required": True}]}],
        "attachments": [{"kind": "id_card_front"}, {"kind": "id_card_back"},
                        {"kind": "pledge", "note": "须有本人手写签名"}],
        "eligibility": {"min_years": [{"form": "regular", "level": "senior_associate", "years": 5}],
                        "min_education": "bachelor", "requires_current_title": True},
    },
}


def plan(**changes: Any) -> dict[str, Any]:
    """A fresh valid plan with a unique name (unless given), today inside its window."""
    data = copy.deepcopy(PLAN)
    today = today_in_shanghai()
    data.update(name=f"{PLAN['name']}{secrets.token_hex(3)}", start_date=str(today - dt.timedelta(days=30)),
                end_date=str(today + dt.timedelta(days=30)))
    data.update(changes)
    return data


def category(data: dict, group: int = 0, index: int = 0) -> dict:
    return data["standard"]["groups"][group]["categories"][index]
