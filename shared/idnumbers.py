"""China's identity numbers: 居民身份证号码 (GB 11643-1999) and 统一社会信用代码 (GB 32100-2015)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from shared import clock

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")

_CC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class InvalidNumber(ValueError):
    """The message is Chinese and fit to show a person."""


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: dt.date
    gender: Literal["male", "female"]


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def parse_id_number(value: str, *, today: dt.date | None = None) -> IdFacts:
    """Validate an 18-digit 身份证号码 and derive birth date and gender from it."""
    number = value.strip().upper()
    if not _ID_RE.match(number):
        raise InvalidNumber("应为 18 位，前 17 位为数字，最后一位为数字或 X")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidNumber("其中的出生日期无效") from None
    today = today or clock.today()
    if birth > today or birth.year < 1900:
        raise InvalidNumber("其中的出生日期无效")
    if id_check_digit(number[:17]) != number[17]:
        raise InvalidNumber("校验位不正确，请核对号码")
    return IdFacts(number, birth, "male" if int(number[16]) % 2 else "female")


def mask_id_number(number: str) -> str:
    """Only the first and the last four characters stay visible."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


def credit_code_check_char(first17: str) -> str:
    total = sum(_CC_CHARS.index(c) * w for c, w in zip(first17, _CC_WEIGHTS, strict=True))
    return _CC_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Validate an 18-character 统一社会信用代码; returns it normalised."""
    code = value.strip().upper()
    if not _CC_RE.match(code):
        raise InvalidNumber("应为 18 位数字或大写字母（不含 I、O、Z、S、V）")
    if credit_code_check_char(code[:17]) != code[17]:
        raise InvalidNumber("校验位不正确，请核对代码")
    return code
