from shared.errors import _field_error


def test_validation_messages_are_chinese_and_name_the_field():
    english = [
        {"type": "value_error", "loc": ("body", "email"), "msg": "x", "ctx": {"error": "An email address must have an @"}},
        {"type": "dict_type", "loc": ("body", "fields"), "msg": "Input should be a valid dictionary"},
        {"type": "too_long", "loc": ("body", "attachment_ids"), "msg": "List should have at most 20 items",
         "ctx": {"max_length": 20}},
        {"type": "some_new_type", "loc": ("body", "mobile"), "msg": "Something in English"},
    ]
    got = [_field_error(e) for e in english]
    assert [g["message"] for g in got] == ["格式不正确", "格式不正确（应为一组填报项）", "过多（最多 20 项）", "格式不正确"]
    assert got[0]["label"] == "电子邮箱" and got[3]["label"] == "手机号码"
