"""The health check answers a load balancer that probes by IP address; nothing else does."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from lamb_binh.middleware import HEALTH_PATH

# As in production: only the domain name is allowed (DEBUG off adds no local names).
production_hosts = override_settings(ALLOWED_HOSTS=["3cung.lambinh.gov.vn"], DEBUG=False)


def test_the_middleware_guards_the_health_checks_own_address():
    assert reverse("health") == HEALTH_PATH


@production_hosts
@pytest.mark.parametrize("host", ["10.0.0.5:8000", "127.0.0.1"])
def test_a_probe_by_ip_address_gets_the_health_answer(db, host):
    response = Client(HTTP_HOST=host).get(HEALTH_PATH)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["X-Content-Type-Options"] == "nosniff"


@production_hosts
@pytest.mark.parametrize("path", ["/dang-nhap/", "/", "/suc-khoe/khac/", "/suc-khoe"])
def test_other_paths_with_a_host_that_is_not_allowed_still_get_400(db, path):
    assert Client(HTTP_HOST="10.0.0.5:8000").get(path).status_code == 400


@production_hosts
def test_the_health_check_by_domain_name_goes_through_the_whole_stack(db):
    response = Client(HTTP_HOST="3cung.lambinh.gov.vn").get(HEALTH_PATH)
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]


@production_hosts
def test_the_probe_may_only_read(db):
    response = Client(HTTP_HOST="10.0.0.5:8000").post(HEALTH_PATH)
    assert response.status_code == 405
