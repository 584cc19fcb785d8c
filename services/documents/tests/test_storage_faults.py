"""The bucket's server fails: files outlive its crash and restart, and an object that is really
gone is reported as lost (410, an alert in the log), not as a storage outage."""
from __future__ import annotations

import hashlib
import json

from services.documents.tests import samples
from services.documents.tests.conftest import BUCKET


def test_files_survive_a_crash_and_restart_of_the_storage_server(stack, docs, person):
    uploads = {"照片.jpg": samples.jpeg(), "证明.pdf": samples.pdf(), "大文件.pdf": samples.pdf_of_size(6 * 1024 * 1024)}
    stored = {name: docs.stored(person, content, name, kind="photo" if name.endswith(".jpg") else "other")
              for name, content in uploads.items()}
    before = docs.objects()
    assert len(before) >= 4  # three files and the photo's thumbnail

    stack.procs.stop("s3", kill=True)  # a crash: no chance to flush anything
    stack.procs.start_again("s3")

    assert docs.objects() == before, "objects lost across the restart"
    for name, f in stored.items():
        response = person.get(f"{docs.api}/files/{f['id']}/content")
        assert response.status_code == 200, response.text
        assert hashlib.sha256(response.content).hexdigest() == f["sha256"] == \
            hashlib.sha256(uploads[name]).hexdigest()
    assert person.get(f"{docs.api}/files/{stored['照片.jpg']['id']}/thumbnail").status_code == 200


def test_a_missing_object_is_reported_as_lost_and_alerted(stack, docs, person):
    f = docs.stored(person, samples.jpeg(), "丢失的照片.jpg")
    keys = docs.keys(f["id"])
    for path, key in zip(("content", "thumbnail"), keys, strict=True):
        docs.s3.remove_object(BUCKET, key)
        response = person.get(f"{docs.api}/files/{f['id']}/{path}")
        assert response.status_code == 410, response.text
        problem = response.json()
        assert problem["code"] == "file_missing"
        assert problem["detail"].startswith("附件文件已丢失")
        assert "暂时不可用" not in problem["detail"]
    # The file's metadata is still there: the record exists, its bytes do not.
    assert person.get(f"{docs.api}/files/{f['id']}").status_code == 200

    alerts = [r for r in _log(stack, "documents") if r.get("level") == "ERROR" and f["id"] in r.get("message", "")]
    assert [r["message"].startswith("ALERT") for r in alerts] == [True, True], alerts
    assert all(key in " ".join(r["message"] for r in alerts) for key in keys)


def _log(stack, name: str) -> list[dict]:
    records = []
    for line in stack.procs.get(name).log.read_text(errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records
