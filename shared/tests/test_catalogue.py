from shared.events import docs
from shared.events.catalogue import CATALOGUE


def test_docs_events_md_is_rendered_from_the_catalogue():
    assert docs.OUT.read_text(encoding="utf-8") == docs.render(), "run: python -m shared.events.docs"


def test_every_event_type_is_a_past_tense_fact_of_its_producer():
    for type_ in CATALOGUE:
        service, _aggregate, verb = type_.split(".")
        assert service in {"identity", "units", "library", "plans", "applications", "documents", "test"}
        assert verb.endswith(("ed", "wn")), type_  # registered, approved, withdrawn…
