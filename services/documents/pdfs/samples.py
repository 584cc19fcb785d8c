"""A submitted application as applications' event carries it (ApplicationOut as JSON), of any
size: for the tests and the benchmark (bench/pdf_render.py)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any


def _item(section: str, n: int, type_: str, type_name: str, title: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "section": section, "position": n, "entry_id": str(uuid.uuid4()),
            "entry_version": 1, "type": type_, "type_name": type_name, "title": title, "fields": fields,
            "attachment_ids": [], "approved_at": "2026-03-01T08:00:00+00:00", "highest": False, "assessment": None}


def _section(code: str, name: str, group: str | None, types: list[str], items: list[dict]) -> dict[str, Any]:
    return {"code": code, "name": name, "group": group, "hint": "", "entry_types": types, "min_count": 0,
            "max_count": 300, "required": False, "items": items}


def application(*, papers: int = 4, name: str = "林晓燕", form: str = "regular",
                photo_file_id: str | None = None) -> dict[str, Any]:
    """A typical application; ``papers`` sets the size of the 业绩条件 (200 makes a long form)."""
    work = [_item("work_experience", n, "work_experience", "工作经历", f"福州第{n}中学", {
        "start_date": f"{2000 + 4 * n}-09-01", "end_date": f"{2004 + 4 * n}-07-31", "unit": f"福州第{n}中学",
        "position": "教师", "duties": "承担高中数学教学与班主任工作，组织教研活动。", "witness": "王主任"})
        for n in range(1, 4)]
    education = [_item("education", 1, "education", "学历教育", "福建师范大学", {
        "school": "福建师范大学", "major": "数学与应用数学", "education": "大学本科", "degree": "学士",
        "study_mode": "全日制", "start_date": "1996-09-01", "end_date": "2000-07-01", "certificate_no": "103941200005001"})]
    continuing = [_item("continuing_education", n, "continuing_education", "继续教育", f"新课标培训第{n}期", {
        "project": f"新课标培训第{n}期", "hours": 24, "host": "福建省教育厅", "year": 2020 + n}) for n in range(1, 4)]
    assessments = [_item("annual_assessment", n, "annual_assessment", "年度考核", f"{2020 + n} 年度", {
        "year": 2020 + n, "result": "优秀" if n % 2 else "合格"}) for n in range(1, 6)]
    papers_items = [_item("p", n, "paper", "发表论文/著作", f"函数教学研究之{n:03d}", {
        "title": f"函数教学研究之{n:03d}", "publication": "中学数学教学参考", "issn_cn": "CN 61-1042/O1",
        "published_on": "2023-05-01", "author_rank": 1}) for n in range(1, papers + 1)]
    honors = [_item("h", 1, "honor", "获得荣誉", "福州市优秀教师", {
        "name": "福州市优秀教师", "level": "市厅级", "grantor": "福州市人民政府", "date": "2022-09-10"}),
        _item("h", 2, "achievement", "取得业绩", "校本课程开发", {
            "name": "校本课程开发", "role": "主持人", "level": "单位", "date": "2023-06-30",
            "description": "主持开发数学建模校本课程，覆盖全年级。"})]
    return {
        "id": str(uuid.uuid4()), "plan_id": str(uuid.uuid4()), "plan_year": 2026, "plan_name": "2026年度中小学教师职称评审",
        "series": "中小学教师", "form": form, "form_name": {"regular": "常规申报", "exceptional": "破格申报",
                                                         "transfer": "转评申报"}[form],
        "major": "中学数学", "title": "高级教师", "level": "senior_associate", "level_name": "副高级",
        "has_interview": True, "status": "in_review", "status_label": "审核中", "version": 7,
        "submitted_at": dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.UTC).isoformat(),
        "unit_id": str(uuid.uuid4()), "unit_name": "福州第一中学",
        "person": {"name": name, "id_number_masked": "350102********1234", "gender": "女", "birth_date": "1978-06-15"},
        "profile": {"ethnicity": "汉族", "political_status": "中共党员", "mobile": "13800000000",
                    "work_start_date": "2000-09-01", "years_of_work": 25, "years_in_profession": 25,
                    "profession": "中学数学教学", "position": "教研组长", "photo_file_id": photo_file_id},
        "teacher_profile": None,
        "current_titles": [{"series": "中小学教师", "title_name": "一级教师", "level": "中级", "major": "中学数学",
                            "obtained_on": "2012-12-01", "certificate_no": "闽教职2012-0088", "approver": "福州市人社局",
                            "file_ids": []}],
        "current_appointments": [{"title_name": "一级教师", "unit": "福州第一中学", "start_date": "2013-01-01",
                                  "end_date": None, "file_ids": []}],
        "attachments": [], "extra_sections": [form] if form != "regular" else [],
        "extra": {"reason": "任现职以来教学业绩突出，获市级以上表彰。", "summary": "详见业绩材料。"} if form != "regular" else {},
        "sections": [
            _section("work_experience", "工作经历", None, ["work_experience"], work),
            _section("education", "学历教育", None, ["education"], education),
            _section("continuing_education", "继续教育", None, ["continuing_education"], continuing),
            _section("annual_assessment", "年度考核", None, ["annual_assessment"], assessments),
            _section("h", "获得荣誉与业绩", "能力条件", ["honor", "achievement"], honors),
            _section("p", "发表论文", "业绩条件", ["paper"], papers_items),
        ],
        "steps": [], "notices": [],
    }
