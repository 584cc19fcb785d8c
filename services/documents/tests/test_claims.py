"""Claims: records of other services refer to a person's files. Only the owner's live files
can be claimed; a claim set is replaced whole; a locked file cannot be deleted until released."""
from __future__ import annotations

import uuid

from services.documents.tests import samples
from shared.testing.fixtures import eventually


def test_a_claim_with_someone_elses_file_is_refused_and_changes_nothing(docs, person, other_person):
    mine = docs.stored(person, samples.jpeg(), "我的.jpg")
    theirs = docs.stored(other_person, samples.jpeg(), "别人的.jpg")
    ref = f"applications:application:{uuid.uuid4()}"
    assert docs.claim(ref, mine["owner_id"], [mine["id"]]).status_code == 200

    refused = docs.claim(ref, mine["owner_id"], [theirs["id"]], lock=True)
    assert refused.status_code == 422
    assert theirs["id"] in refused.json()["detail"] and mine["id"] not in refused.json()["detail"]
    assert "不属于" in refused.json()["detail"]
    gone = docs.claim(ref, mine["owner_id"], [mine["id"], str(uuid.uuid4())], lock=True)
    assert gone.status_code == 422
    # Nothing changed: still claimed, not locked; the other person's file untouched.
    after = person.get(f"{docs.api}/files/{mine['id']}").json()
    assert after["referenced"] is True and after["locked"] is False
    assert other_person.get(f"{docs.api}/files/{theirs['id']}").json()["referenced"] is False


def test_each_put_replaces_the_claim_set(docs, person):
    first = docs.stored(person, samples.jpeg(), "一.jpg")
    second = docs.stored(person, samples.pdf(), "二.pdf")
    ref = f"library:entry:{uuid.uuid4()}"
    claimed = docs.claim(ref, first["owner_id"], [first["id"], second["id"], first["id"]])
    assert claimed.status_code == 200 and claimed.json()["file_ids"] == [first["id"], second["id"]]
    assert docs.claim(ref, first["owner_id"], [second["id"]]).status_code == 200

    dropped = person.get(f"{docs.api}/files/{first['id']}").json()
    kept = person.get(f"{docs.api}/files/{second['id']}").json()
    assert dropped["referenced"] is False and dropped["cleanup_at"] is not None
    assert kept["referenced"] is True and kept["cleanup_at"] is None


def test_a_locked_file_cannot_be_deleted_until_the_claim_is_released(docs, person):
    f = docs.stored(person, samples.jpeg(), "学历证书.jpg", kind="diploma")
    ref = f"library:entry:{uuid.uuid4()}:approved"
    assert docs.claim(ref, f["owner_id"], [f["id"]], lock=True).json()["lock"] is True
    assert person.get(f"{docs.api}/files/{f['id']}").json()["locked"] is True

    refused = docs.write(person, "DELETE", f"/files/{f['id']}")
    assert refused.status_code == 409 and refused.json()["code"] == "file_locked"
    assert "不能删除" in refused.json()["detail"]
    assert person.get(f"{docs.api}/files/{f['id']}").status_code == 200

    assert docs.release(ref).status_code == 204
    assert docs.release(ref).status_code == 204  # releasing twice is harmless
    before = docs.objects()
    assert docs.write(person, "DELETE", f"/files/{f['id']}").status_code == 204
    assert person.get(f"{docs.api}/files/{f['id']}").status_code == 404
    assert f["id"] not in {x["id"] for x in docs.mine(person, page_size=100)["items"]}
    # The objects (original and thumbnail) go right after the response.
    assert eventually(lambda: len(before - docs.objects()) == 2)


def test_a_deleted_file_cannot_be_claimed(docs, person):
    f = docs.stored(person, samples.jpeg())
    docs.write(person, "DELETE", f"/files/{f['id']}")
    assert docs.claim(f"library:entry:{uuid.uuid4()}", f["owner_id"], [f["id"]]).status_code == 422
