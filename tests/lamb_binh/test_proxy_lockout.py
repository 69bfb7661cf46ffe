"""Login lockouts behind nginx: the client's address, not the proxy's, is what gets locked."""

import pytest
from axes.helpers import IPWARE_INSTALLED
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from activities import roles
from lamb_binh.settings import client_address_settings
from tests.factories import PASSWORD, make_user

NGINX = "127.0.0.1"  # REMOTE_ADDR of every request that came through the proxy
ATTACKER = "10.20.0.11"
OWNER = "10.20.0.12"


@pytest.fixture
def owner(db):
    return make_user("nhaplieu", roles.STAFF)


def behind(settings, proxies: int) -> None:
    for name, value in client_address_settings(proxies).items():
        setattr(settings, name, value)


def log_in(password: str, **meta: str):
    """One login through the whole middleware stack, from a fresh browser."""
    return Client(**meta).post(reverse("login"), {"username": "nhaplieu", "password": password})


def test_django_ipware_is_installed_for_axes():
    assert IPWARE_INSTALLED


def test_behind_one_proxy_failures_lock_out_that_client_only(settings, owner):
    behind(settings, 1)
    statuses = [
        log_in("sai", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=ATTACKER).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    # The attacker's address is locked out of the account, even with the right password...
    locked = log_in(PASSWORD, REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert locked.status_code == 429
    # ...while the owner, at another address behind the same proxy, logs in.
    response = log_in(PASSWORD, REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=OWNER)
    assert response.status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]


def test_behind_one_proxy_a_forged_header_cannot_lock_out_someone_else(settings, owner):
    behind(settings, 1)
    # The attacker writes the owner's address into X-Forwarded-For; nginx appends the
    # address it really sees, and that one is counted.
    forged = f"{OWNER}, {ATTACKER}"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("sai", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=forged)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]
    response = log_in(PASSWORD, REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=OWNER)
    assert response.status_code == 302


def test_without_a_proxy_a_forged_header_is_ignored(settings, owner):
    behind(settings, 0)
    client_address = "10.20.0.99"
    statuses = [
        # Each try pretends to come from somewhere else: the header is the client's own word.
        log_in("sai", REMOTE_ADDR=client_address, HTTP_X_FORWARDED_FOR=f"10.30.0.{n}").status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [client_address]
    assert log_in(PASSWORD, REMOTE_ADDR="10.20.0.98").status_code == 302
