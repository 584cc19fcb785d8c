"""Seed accounts of the 闽政通 simulator, with check digits computed, not typed.

ID numbers follow GB 11643-1999 (居民身份证号码) and credit codes GB 32100-2015
(统一社会信用代码); building them from 17-char prefixes keeps every seed valid by
construction. One person (``badid``) is deliberately broken so the platform's validation
can be tested end to end.
"""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Literal

from shared.idnumbers import credit_code_check_char, id_check_digit

DEMO_PASSWORD = "Demo@2026"

# Stable subs across restarts: the platform keys people by `sub`, so a restarted simulator
# must hand out the same ones.
_SUB_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "mzt.simulator.zc-platform")


def id_number(first17: str) -> str:
    return first17 + id_check_digit(first17)


def credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def sub_for(username: str) -> str:
    return str(uuid.uuid5(_SUB_NAMESPACE, username))


AccountType = Literal["person", "legal"]


@dataclass(frozen=True)
class Account:
    username: str
    account_type: AccountType
    name: str  # the person; for a legal account, its legal representative (法定代表人)
    id_number: str
    password: str = DEMO_PASSWORD
    phone: str | None = None  # person accounts
    unit_name: str | None = None  # legal accounts
    credit_code: str | None = None  # legal accounts
    sub: str = field(default="")

    def __post_init__(self) -> None:
        if not self.sub:
            object.__setattr__(self, "sub", sub_for(self.username))

    def claims(self) -> dict[str, str]:
        """The identity claims put into the id_token and returned by /userinfo."""
        base = {"sub": self.sub, "account_type": self.account_type, "name": self.name,
                "id_number": self.id_number}
        if self.account_type == "person":
            return base | {"phone": self.phone or ""}
        return base | {"unit_name": self.unit_name or "", "credit_code": self.credit_code or ""}

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


# 17-digit prefix = 6-digit region (Fujian) + birth date + 3-digit sequence (odd = male).
PERSONS: list[Account] = [
    Account("zhangsan", "person", "张三", id_number("35010219850312031"), phone="13805910031"),
    Account("lisi", "person", "李四", id_number("35020319791105015"), phone="13906920015"),
    Account("wangwu", "person", "王五", id_number("35058319900721057"), phone="15959570057"),
    Account("chenmeiling", "person", "陈美玲", id_number("35010419880214024"), phone="13705910024"),
    Account("linjianhua", "person", "林建华", id_number("35030219720930013"), phone="18959430013"),
    Account("huangzhiqiang", "person", "黄志强", id_number("35050219830508071"), phone="13860770071"),
    Account("zhenglijuan", "person", "郑丽娟", id_number("35060219951201086"), phone="15880560086"),
    Account("wuxiaoyan", "person", "吴晓燕", id_number("35070219980618042"), phone="17750990042"),
    # Deliberately wrong check digit (the valid one is 8): the platform must refuse this person.
    Account("badid", "person", "测试坏号", "350102199001011235", phone="13800000000"),
]

# Credit code = registration authority + type (91 企业, 12 事业单位) + region + 9-char
# organisation code (itself GB 11714-valid) + check.
LEGAL_ACCOUNTS: list[Account] = [
    Account("unit-sjy", "legal", "刘国栋", id_number("35010219700416035"),
            unit_name="福建省建筑设计研究院有限公司", credit_code=credit_code("91350000158142367")),
    Account("unit-hospital", "legal", "郭振宇", id_number("35010319740822017"),
            unit_name="福州市第一医院", credit_code=credit_code("12350100488032750")),
    Account("unit-school", "legal", "苏雅琴", id_number("35020619760305028"),
            unit_name="厦门市实验中学", credit_code=credit_code("12350200426180395")),
    Account("unit-qz-tech", "legal", "蔡明辉", id_number("35050319810117053"),
            unit_name="泉州市鲤城区智造科技有限公司", credit_code=credit_code("91350500MA2XN7K45")),
]


def seed_accounts() -> dict[str, Account]:
    """A fresh username → account map (each app instance gets its own copy)."""
    return {a.username: a for a in (*PERSONS, *LEGAL_ACCOUNTS)}
