"""shared.inputs in-process: what is refused, how the field is named, and that everything else —
valid text, uploads — reaches the route unchanged."""
from __future__ import annotations

import httpx
from fastapi import FastAPI, Request
from pydantic import BaseModel

from shared.errors import install_error_handlers, register_labels
from shared.inputs import UnstorableTextMiddleware

register_labels({"zz_note": "测试说明", "zz_item": "测试项目", "zz_items.zz_title": "测试题目"})


class Item(BaseModel):
    zz_note: str
    zz_items: list[dict] = []


def client() -> httpx.AsyncClient:
    app = FastAPI()
    app.add_middleware(UnstorableTextMiddleware)
    install_error_handlers(app)

    @app.post("/things/{zz_item}")
    async def create(zz_item: str, item: Item) -> dict:
        return {"zz_item": zz_item, **item.model_dump()}

    @app.post("/upload")
    async def upload(request: Request) -> dict:
        return {"size": len(await request.body())}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def refused(response: httpx.Response, field: str, label: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_failed" and body["errors"] == [
        {"field": field, "label": label, "message": "不能包含空字符（\\0）等无法保存的特殊字符"}]


async def test_nul_and_lone_surrogates_are_refused_naming_the_field():
    async with client() as c:
        await refused(await c.post("/things/a%00b", json={"zz_note": "x"}), "zz_item", "测试项目")
        await refused(await c.post("/things/a?zz_note=%00", json={"zz_note": "x"}), "zz_note", "测试说明")
        await refused(await c.post("/things/a", content=b'{"zz_note": "a\\u0000"}',
                                   headers={"content-type": "application/json"}), "zz_note", "测试说明")
        await refused(await c.post("/things/a", content=b'{"zz_note": "\\ud800"}'), "zz_note", "测试说明")  # no type
        await refused(await c.post("/things/a", content=b'{"zz_note": "x", "zz_items": [{"zz_title": "\\u0000"}]}',
                                   headers={"content-type": "application/json"}), "zz_items.zz_title", "测试题目")
        await refused(await c.post("/things/a", content=b"zz_note=%00",
                                   headers={"content-type": "application/x-www-form-urlencoded"}), "zz_note", "测试说明")
        page = await c.post("/things/a", content=b"zz_note=%00", headers={
            "content-type": "application/x-www-form-urlencoded", "accept": "text/html"})
        assert page.status_code == 422 and "测试说明" in page.text and page.headers["content-type"].startswith("text/html")


async def test_everything_else_passes_unchanged():
    async with client() as c:
        body = '{"zz_note": "福州\\\\u0000 is text, 😀 \\ud83d\\ude00 a pair", "zz_items": [{"zz_title": "ok"}]}'
        ok = await c.post("/things/%E4%B8%AD", content=body.encode(), headers={"content-type": "application/json"})
        assert ok.status_code == 200, ok.text
        assert ok.json()["zz_note"] == "福州\\u0000 is text, 😀 😀 a pair" and ok.json()["zz_item"] == "中"
        raw = bytes(range(256)) * 4  # an upload: bytes are not text, never looked at
        upload = await c.post("/upload", content=raw, headers={"content-type": "multipart/form-data; boundary=x"})
        assert upload.json() == {"size": 1024}
        broken = await c.post("/things/a", content=b'{"zz_note": ', headers={"content-type": "application/json"})
        assert broken.status_code == 422 and "不是有效的 JSON（第" in broken.json()["detail"]
