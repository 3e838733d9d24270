"""One authorization table for the suite (secondline.authorization, secondline.guard)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import secondline
from secondline.auth import KINDS, MetadataAuthenticator
from secondline.authorization import ANYONE, SCOPES, TABLE, markdown_table
from secondline.errors import PermissionDenied, Unauthenticated
from secondline.guard import authorize

README = Path(__file__).resolve().parents[2] / "README.md"


def service_methods() -> set[str]:
    """Every RPC of every generated ``*_pb2`` module's services."""
    found = set()
    for info in pkgutil.walk_packages(secondline.__path__, "secondline."):
        if not info.name.endswith("_pb2") or ".v1." not in info.name:
            continue
        module = importlib.import_module(info.name)
        for service in module.DESCRIPTOR.services_by_name.values():
            found |= {f"{service.full_name}/{m.name}" for m in service.methods}
    return found


def test_every_rpc_of_every_service_is_in_the_table_and_nothing_else_is():
    methods = service_methods()
    assert len(methods) > 40  # the walk found the services
    assert sorted(methods - set(TABLE)) == []  # a new RPC cannot ship unguarded
    assert sorted(set(TABLE) - methods) == []


def test_every_caller_is_a_principal_kind_or_a_named_principal_with_a_known_scope():
    for method, access in TABLE.items():
        assert access.callers and access.action, method
        for who, scope in access.callers.items():
            assert scope in SCOPES, (method, scope)
            assert who == ANYONE or who in KINDS or (who.partition("/")[0] in KINDS and who.partition("/")[2]), who


def test_the_readme_shows_the_table_as_the_code_has_it():
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- authorization table -->\n(.*?)<!-- end of the authorization table -->", text, re.S)
    assert found, "README.md has no generated authorization table"
    assert found.group(1) == markdown_table(), "README's table differs: paste secondline.authorization.markdown_table()"


class _Context:
    def __init__(self, principal: str | None):
        self._metadata = (("x-secondline-principal", principal),) if principal else ()

    def invocation_metadata(self):
        return self._metadata


def test_a_refusal_is_permission_denied_naming_the_principal_the_action_and_who_may():
    method = "secondline.gate.v1.GateService/Decide"
    with pytest.raises(PermissionDenied) as refused:
        authorize(MetadataAuthenticator(), _Context("department/TAX"), method, TABLE[method])
    assert refused.value.metadata["principal"] == "department/TAX" and refused.value.metadata["action"] == method
    assert str(refused.value) == "department/TAX may not decide crossings; only operator/<name> or lane/<PORT> may"
    with pytest.raises(Unauthenticated):
        authorize(MetadataAuthenticator(), _Context(None), method, TABLE[method])


def test_a_lane_and_a_named_service_get_the_scope_the_table_gives_them():
    decide = "secondline.gate.v1.GateService/Decide"
    who = authorize(MetadataAuthenticator(), _Context("lane/HAIKOU"), decide, TABLE[decide])
    assert (str(who.principal), who.scope) == ("lane/HAIKOU", "port")
    feed = "secondline.classification.v1.ClassificationService/StreamChanges"
    assert authorize(MetadataAuthenticator(), _Context("service/gate"), feed, TABLE[feed]).scope == "all"
    with pytest.raises(PermissionDenied):  # another service, a department, a partner: not the change feed (I-3)
        authorize(MetadataAuthenticator(), _Context("service/objection"), feed, TABLE[feed])


def test_an_rpc_missing_from_the_table_is_refused_to_everyone():
    with pytest.raises(PermissionDenied) as refused:
        authorize(MetadataAuthenticator(), _Context("operator/root"), "secondline.x.v1.X/New", None)
    assert refused.value.reason == "NOT_IN_AUTHORIZATION_TABLE"
