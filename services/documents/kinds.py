"""What a file is (身份证正面, 学历证书, …): the application's attachment kinds (shared with the
plans' review standards) and the kinds of files that belong to other records."""
from __future__ import annotations

from shared.attachment_kinds import ATTACHMENT_KINDS

# Files of other records: not application attachment kinds, so review standards never list them.
ENTRY_ATTACHMENT = "entry_attachment"  # 证明材料 of a personal-library entry
PLAN_ATTACHMENT = "plan_attachment"  # a review plan's downloadable files (public while the plan claims them)

FILE_KINDS: dict[str, str] = {**ATTACHMENT_KINDS, ENTRY_ATTACHMENT: "业绩证明材料", PLAN_ATTACHMENT: "评审计划附件"}


def kind_label(code: str) -> str:
    return FILE_KINDS.get(code, code)
