"""Fuzz every documented operation from the OpenAPI document, with auth.

Valid and invalid inputs alike must never cause a 5xx or a response that breaks
the documented schema.
"""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance
from support import ROOT

from service import create_app

EXAMPLES = 20  # per operation and mode; CI runs them all on every backend


def _operations() -> list[tuple[str, str]]:
    """Every (method, path) the OpenAPI document lists, read from an app without a database."""
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "LOG_JSON": False})
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    methods = {"get", "post", "put", "patch", "delete"}
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in methods
    ]


@pytest.fixture
def fuzzed(make_app, create_secret):
    """The app's schema for schemathesis, and a site key and admin token valid in it."""
    app = make_app(SITE_REQUESTS_PER_SECOND=100_000)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tokens = {
        "site": create_secret("sites", "create", "news"),
        "moderator": create_secret("moderators", "create", "admin@news.example", "--admin"),
    }
    return schema, tokens


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_server_error_and_responses_match_their_schema(fuzzed, method, path, mode, request):
    schema, tokens = fuzzed
    operation = schema[path][method]
    token = (
        tokens["site"] if (method, path) == ("POST", "/api/v1/comments") else tokens["moderator"]
    )

    examples = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def call(case):
        examples.append(case)
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            checks=[not_a_server_error, response_schema_conformance],
        )

    call()
    assert examples, "schemathesis generated no example"
    # How many examples ran, one file per case, for the closing note's count.
    folder = ROOT / "test-artifacts" / "schemathesis"
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    (folder / f"{name}.txt").write_text(f"{len(examples)}\n")
