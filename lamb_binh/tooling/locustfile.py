"""Locust users for `manage.py loadtest`: staff, officials and admins, each with an account.

Run by the command, not by hand: it writes the plan (accounts, units, months, days) to the
file named by LOADTEST_PLAN and starts gunicorn on 127.0.0.1. Every request goes to that
address only. Responses are checked: a login page, a form sent back with errors or any
status other than the expected one counts as a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

# Plain Python, no Django: the command runs locust from the project's folder.
from activities.figures import typical_values

PLAN = json.loads(open(os.environ["LOADTEST_PLAN"], encoding="utf-8").read())  # noqa: SIM115
ORIGIN = PLAN["origin"]  # the https:// address nginx would be serving
ACCOUNTS = {role: itertools.cycle(PLAN["accounts"][role]) for role in PLAN["accounts"]}
WAIT = between(PLAN["wait"][0], PLAN["wait"][1])

# One row per kind of request in the table, whatever the ids in the path.
DASHBOARD = "Tổng hợp GET /tong-hop/"
MONTH = "Trang tháng GET /don-vi/[id]/thang/[năm]/[tháng]/"
CASES = "Danh sách hộ GET /ho-tro-nha-o/"
FORM = "Mở form GET /don-vi/[id]/hoat-dong/them/"
SAVE = "Lưu hoạt động POST /don-vi/[id]/hoat-dong/them/"
LOGIN = "Đăng nhập POST /dang-nhap/"

ERRORS = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)


class Visitor(HttpUser):
    abstract = True
    wait_time = WAIT
    role = ""

    def on_start(self) -> None:
        # As nginx would say it: the browser spoke HTTPS (Django then expects an https Referer
        # on every POST, as it does in production).
        self.client.headers.update({"X-Forwarded-Proto": "https"})
        account = next(ACCOUNTS[self.role])
        self.units = account["units"]
        # Logged in earlier in the week (the command made the session); one person may
        # also log in afresh now and then, which the "Đăng nhập" rows measure.
        self.client.cookies.set("sessionid", account["session"])
        self.account = account

    def log_in_again(self) -> None:
        self.client.cookies.clear()
        self.client.get("/dang-nhap/", name="Đăng nhập GET /dang-nhap/")
        with self.client.post(
            "/dang-nhap/",
            {
                "username": self.account["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": ORIGIN + "/dang-nhap/"},
            allow_redirects=False,
            name=LOGIN,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"đăng nhập {self.account['username']}: {response.status_code}")

    def page(self, path: str, name: str) -> None:
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")

    def month_page(self) -> None:
        """Half the time this month (where staff land), half a month of the 1M history."""
        unit = random.choice(self.units)
        year, month = random.choice([PLAN["this_month"], random.choice(PLAN["months"])])
        self.page(f"/don-vi/{unit['id']}/thang/{year}/{month}/", MONTH)

    def dashboard(self) -> None:
        self.page("/tong-hop/", DASHBOARD)

    def case_list(self) -> None:
        self.page("/ho-tro-nha-o/", CASES)

    def save_activity(self) -> None:
        """Open the form and save a new activity, as a phone would."""
        unit = random.choice(self.units)
        path = f"/don-vi/{unit['id']}/hoat-dong/them/"
        self.page(path, FORM)
        figures = {
            "cadre_participations": random.randint(3, 20),
            "people_participations": random.randint(0, 60),
            "workdays": f"{random.randint(1, 40)},5",
            "money_contributed": "0",
            "money_mobilised": "500.000",
        }
        # Any other figure (activities.figures): typical for one outing.
        figures |= typical_values(random.randint, given=figures)
        data = {
            "date": random.choice(PLAN["days"]),
            "commune": unit["commune"],
            "villages": random.sample(unit["villages"], random.randint(1, 2)),
            "activity_type": random.choice(PLAN["types"]),
            **figures,
            "description": "Tải thử: cùng dân làm đường",
            # The same unit, day and type again is a second outing, not a slip.
            "confirm_duplicate": "on",
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
        }
        with self.client.post(
            path,
            data,
            headers={"Referer": ORIGIN + path},
            allow_redirects=False,
            name=SAVE,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                errors = " ".join(ERRORS.findall(response.text))[:300]
                response.failure(f"{response.status_code} {errors}")


class Staff(Visitor):
    """Cán bộ nhập liệu: their unit's month, new activities, their communes' cases."""

    weight = 6
    role = "staff"

    @task(40)
    def month(self) -> None:
        self.month_page()

    @task(20)
    def save(self) -> None:
        self.save_activity()

    @task(10)
    def cases(self) -> None:
        self.case_list()

    @task(1)
    def login(self) -> None:
        # A login lasts a week; now and then someone logs in on a new phone.
        self.log_in_again()


class Official(Visitor):
    """Lãnh đạo: the dashboard above all, the case list, a unit's month now and then."""

    weight = 3
    role = "officials"

    @task(4)
    def overview(self) -> None:
        self.dashboard()

    @task(2)
    def cases(self) -> None:
        self.case_list()

    @task(1)
    def month(self) -> None:
        self.month_page()


class Admin(Visitor):
    """Quản trị: a bit of everything, saving on any unit."""

    weight = 1
    role = "admins"

    @task(2)
    def overview(self) -> None:
        self.dashboard()

    @task(2)
    def month(self) -> None:
        self.month_page()

    @task(1)
    def cases(self) -> None:
        self.case_list()

    @task(1)
    def save(self) -> None:
        self.save_activity()
