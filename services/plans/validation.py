"""Collecting what is wrong with a submitted plan, so that a form can show every error next to
its field at once. Each error has the field's path in the request (``standard.groups.0.name``),
a Chinese label that says which one, and a message."""
from __future__ import annotations

from shared.errors import AppError, InvalidField, register_labels

register_labels({
    "organizer_id": "组建单位", "year": "评审年度", "name": "名称", "committee": "评委会", "levels": "评审级别",
    "level": "评审级别", "plan_type": "计划类型", "series": "系列", "start_date": "申报开始日期",
    "end_date": "申报截止日期", "has_interview": "有无面试", "scope": "评审范围对象", "content": "计划内容",
    "majors": "可评审专业", "titles": "可申报职称", "forms": "申报形式", "form": "申报形式", "stages": "评审环节",
    "party": "审核方", "party_name": "审核单位", "resubmit_from": "退回修改后重新提交，从哪个环节开始审核",
    "stage_id": "评审环节", "attachments": "附件", "file_id": "附件文件",
    "standard": "评审标准", "groups": "条件组", "categories": "申报类别", "hint": "温馨提示",
    "entry_types": "可导入的业绩类型", "min_count": "最少项数", "max_count": "最多项数", "required": "是否必填",
    "kind": "附件类型", "note": "说明", "eligibility": "申报资格", "min_years": "现职称最低年限",
    "years": "年限", "min_education": "最低学历", "requires_current_title": "须具有现有职称",
    "extra_sections": "系列专用信息", "mine": "仅本单位", "open": "申报中", "plan_id": "评审计划",
    "stages.id": "评审环节编号", "standard.groups.id": "条件组编号", "standard.groups.categories.id": "申报类别编号",
    "status": "计划状态",
})


class InvalidFields(InvalidField):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        AppError.__init__(self, "；".join(f"{e['label']}：{e['message']}" for e in errors), errors=errors)


class Problems:
    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

    def add(self, path: str, label: str, message: str) -> None:
        self.errors.append({"field": path, "label": label, "message": message})

    def raise_any(self) -> None:
        if self.errors:
            raise InvalidFields(self.errors)


def clean(text: str) -> str:
    """Inner runs of spaces collapse; names never start or end with blanks."""
    return " ".join(text.split())
