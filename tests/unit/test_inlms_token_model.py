"""Which AccessToken model a direct token goes into: django-oauth-toolkit made it swappable in 1.0;
Ginkgo's 0.10-0.12 has only the plain class."""

import sys
import types

import pytest
from ansible.module_utils.edx_provision.inlms.tokens import access_token_model


@pytest.fixture
def dot_models(monkeypatch):
    package, models = types.ModuleType("oauth2_provider"), types.ModuleType("oauth2_provider.models")
    package.models = models
    monkeypatch.setitem(sys.modules, "oauth2_provider", package)
    monkeypatch.setitem(sys.modules, "oauth2_provider.models", models)
    return models


def test_ginkgo_dot_without_swappable_models_gets_the_plain_class(dot_models):
    dot_models.AccessToken = plain = type("AccessToken", (), {})
    assert access_token_model() is plain


def test_dot_1_and_later_get_the_swapped_model(dot_models):
    dot_models.AccessToken = type("AccessToken", (), {})
    dot_models.get_access_token_model = lambda: "myapp.Token"
    assert access_token_model() == "myapp.Token"
