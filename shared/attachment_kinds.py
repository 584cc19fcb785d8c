"""The kinds of attachments an application carries (附件上传), as data in one place.

A review standard lists which kinds its applications must (or may) upload; the application's
附件上传 page shows them in this order, and “其他” is always available."""
from __future__ import annotations

ATTACHMENT_KINDS: dict[str, str] = {
    "id_card_front": "身份证正面",
    "id_card_back": "身份证反面",
    "photo": "证件照",
    "diploma": "学历证书",
    "pledge": "职称申报承诺书",
    "professional_certificate": "职业证书",
    "head_teacher_proof": "班主任工作经历证明",
    "principal_training": "校（园）长岗位培训证明",
    "other": "其他",
}


def attachment_kind_name(code: str) -> str:
    return ATTACHMENT_KINDS.get(code, code)
