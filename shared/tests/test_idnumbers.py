import datetime as dt

import pytest

from shared.idnumbers import (
    InvalidNumber,
    credit_code_check_char,
    id_check_digit,
    mask_id_number,
    parse_id_number,
    validate_credit_code,
)


def test_a_valid_identity_number_gives_birth_date_and_gender():
    facts = parse_id_number("11010519491231002x")
    assert facts.number == "11010519491231002X"
    assert facts.birth_date == dt.date(1949, 12, 31) and facts.gender == "female"
    assert parse_id_number("350102198503120317").gender == "male"
    assert id_check_digit("11010519491231002") == "X"


@pytest.mark.parametrize("value,message", [
    ("110105194912310021", "校验位"),
    ("11010519491331002X", "出生日期"),
    ("1101051949123100", "18 位"),
    ("11010519491231002Y", "18 位"),
    ("110105299912310028", "出生日期"),  # born in the future
])
def test_invalid_identity_numbers_are_explained(value, message):
    with pytest.raises(InvalidNumber, match=message):
        parse_id_number(value, today=dt.date(2026, 11, 26))


def test_masking_keeps_the_first_and_last_four():
    assert mask_id_number("350102198503120317") == "3501**********0317"


def test_credit_codes_validate_with_published_examples():
    for real in ("914403001922038216", "9144030071526726XG", "91350100M000100Y43", "91310000775785552L"):
        assert validate_credit_code(real.lower()) == real
        assert credit_code_check_char(real[:17]) == real[17]
    with pytest.raises(InvalidNumber, match="校验位"):
        validate_credit_code("91350100M000100Y44")
    with pytest.raises(InvalidNumber, match="不含 I"):
        validate_credit_code("91350100I000100Y43")

