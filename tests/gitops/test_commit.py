from __future__ import annotations

from vending.gitops.commit import message, one_line, pipeline_trailers, requester_identity


def test_trailers_are_one_line_each() -> None:
    text = message("vend: create subscription a", "Body.", [("Change-Ticket", "X\nForged: yes"), ("Empty", "")],
                   "[skip ci]")
    assert text == "vend: create subscription a [skip ci]\n\nBody.\n\nChange-Ticket: X Forged: yes\n"
    assert one_line("a\r\nb\x00c") == "a  b c"


def test_no_pipeline_outside_azure_devops() -> None:
    assert pipeline_trailers({"BUILD_BUILDID": "1"}) == []
    trailers = dict(pipeline_trailers({"TF_BUILD": "True", "BUILD_BUILDID": "12", "SYSTEM_TEAMPROJECT": "P",
                                       "SYSTEM_COLLECTIONURI": "https://dev.azure.com/o/"}))
    assert trailers["Pipeline-Run"] == "https://dev.azure.com/o/P/_build/results?buildId=12"


def test_requester_identity() -> None:
    identity = requester_identity("alice.smith@contoso.com")
    assert (identity.name, identity.email) == ("alice.smith", "alice.smith@contoso.com")
