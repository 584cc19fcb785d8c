"""The gateway's 我的附件 pages over HTTP, as htmx calls them: upload (re-streamed to documents),
rename, delete, the viewer, and the picker other forms embed."""
from __future__ import annotations

import re
import uuid

import httpx

from services.documents.tests import samples
from shared.testing.fixtures import csrf_header

HTMX = {"hx-request": "true"}


def page_upload(stack, browser, path: str, content: bytes, name: str, kind: str = "photo", **fields: str):
    body, ctype = samples.multipart({"kind": kind, **fields}, name.encode(), content, "image/jpeg")
    return browser.post(f"{stack.gateway}{path}", content=body,
                        headers={"content-type": ctype, **HTMX, **csrf_header(browser, stack.gateway)})


def test_my_attachments_page_upload_rename_delete(stack, docs, person):
    page = person.get(f"{stack.gateway}/files")
    assert page.status_code == 200 and "附件一览表" in page.text and 'value="entry_attachment"' in page.text
    assert httpx.get(f"{stack.gateway}/files").headers["location"] == "/login?next=%2Ffiles"  # and back after

    stored = page_upload(stack, person, "/files/upload", samples.jpeg(), "毕业证书.jpg", kind="diploma", kept="true")
    assert stored.status_code == 200 and stored.headers["hx-trigger"] == "file-uploaded"
    assert "附件已上传" in stored.text and "毕业证书.jpg" in stored.text and "已保存" in stored.text
    file_id = re.search(r'id="file-([0-9a-f-]{36})"', stored.text).group(1)

    refused = page_upload(stack, person, "/files/upload", samples.EXECUTABLE, "setup.jpg")
    assert refused.headers["hx-retarget"] == "#upload-error" and "可执行程序" in refused.text

    form = {"display_name": "学历证书（本科）", "csrf_token": person.csrf(stack.gateway)}
    renamed = person.post(f"{stack.gateway}/files/{file_id}/rename", data=form, follow=False)
    assert renamed.status_code == 303 and "notice=file_renamed" in renamed.headers["location"]
    assert person.get(f"{docs.api}/files/{file_id}").json()["display_name"] == "学历证书（本科）"
    bad = person.post(f"{stack.gateway}/files/{file_id}/rename", headers=HTMX,
                      data={"display_name": "a/b", "csrf_token": person.csrf(stack.gateway)})
    assert "附件名称：不能包含 / 或" in bad.text

    ref = f"library:entry:{uuid.uuid4()}:approved"
    docs.claim(ref, person.get(f"{docs.api}/files/{file_id}").json()["owner_id"], [file_id], lock=True)
    listed = person.get(f"{stack.gateway}/files")
    assert "正被待单位审核或已通过的业绩（或已提交的申报）使用，不能删除" in listed.text
    assert "<li>业绩库</li>" in listed.text  # a claim without a label is named after its service
    locked = person.post(f"{stack.gateway}/files/{file_id}/delete", headers=HTMX,
                         data={"csrf_token": person.csrf(stack.gateway)})
    assert "不能删除" in locked.text and person.get(f"{docs.api}/files/{file_id}").status_code == 200
    docs.release(ref)
    deleted = person.post(f"{stack.gateway}/files/{file_id}/delete", headers=HTMX,
                          data={"csrf_token": person.csrf(stack.gateway)})
    assert "附件已删除" in deleted.text and file_id not in deleted.text


def test_viewer_uses_a_fresh_short_lived_link_and_hides_others_files(stack, docs, person, other_person):
    f = docs.stored(person, samples.jpeg(), "身份证正面.jpg", kind="id_card_front")
    viewer = person.get(f"{stack.gateway}/files/{f['id']}")
    assert viewer.status_code == 200 and "data-zoomable" in viewer.text and "下载原件" in viewer.text
    link = re.search(r'id="viewer-image" src="(/api/documents/links/[^"]+)"', viewer.text).group(1)
    assert httpx.get(f"{stack.gateway}{link}").content == person.get(f"{docs.api}/files/{f['id']}/content").content
    assert other_person.get(f"{stack.gateway}/files/{f['id']}").status_code == 404
    assert person.get(f"{stack.gateway}/files/not-a-uuid").status_code == 404


def test_the_picker_shows_chosen_files_and_uploads_into_itself(stack, docs, person):
    chosen = docs.stored(person, samples.pdf(), "任职证明.pdf", kind="other")
    other = docs.stored(person, samples.jpeg(), "获奖证书.jpg", kind="entry_attachment")
    gone = str(uuid.uuid4())
    picker = person.get(f"{stack.gateway}/files/picker",
                        params={"chosen": [chosen["id"], gone], "name": "file_ids", "kind": "entry_attachment"})
    assert picker.status_code == 200
    chosen_part, available_part = picker.text.split("从我的附件中选择")
    assert f'name="file_ids" value="{chosen["id"]}"' in chosen_part and gone not in picker.text
    assert "有 1 个已选附件已被删除" in chosen_part
    assert f'data-pick-file="{other["id"]}"' in available_part

    uploaded = page_upload(stack, person, "/files/picker/upload?name=file_ids", samples.jpeg(), "证书.jpg",
                           kind="entry_attachment")
    assert uploaded.status_code == 200 and 'name="file_ids"' in uploaded.text and "证书.jpg" in uploaded.text
    assert 'hx-swap-oob="true"' in uploaded.text  # clears an earlier error
    refused = page_upload(stack, person, "/files/picker/upload?name=file_ids", b"", "empty.jpg")
    assert refused.headers["hx-retarget"] == "#picker-file_ids-error" and "文件为空" in refused.text
