"""The operator page in headless Chromium, on data from a whole flow.

An SMS goes out through the Twilio sandbox and its delivered callback comes back; a
sync job fails for good against a booking API that answers 503. Then an operator
logs in, finds the delivered message (number masked) and retries the failed job.
Needs Debian's `chromium` and `chromium-driver` packages and `selenium`.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from rq import Queue
from rq.serializers import JSONSerializer
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import JOBS, JobSpec
from tests.admin.conftest import ADMIN_TOKEN, FAILING_JOB, admin_app
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow.conftest import Flow
from tests.support.asgi_server import serve

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
NUMBER = "+31611112222"
MASKED = "+31*******22"


class FailSingleReads:
    """While armed, the booking API answers 503 to every getAppointment."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.armed = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and self.armed
                and Request(scope).query_params.get("method") == "getAppointment"):
            await Response("upstream busy", status_code=503)(scope, receive, send)
            return
        await self.app(scope, receive, send)


@contextmanager
def chromium(profile: Path) -> Iterator[WebDriver]:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail("Chromium is not installed: apt-get install -y chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def deliver_one_sms(flow: Flow) -> int:
    """Book an appointment for NUMBER and let its prompt go out and be delivered."""
    flow.ticker.tick()
    flow.run_jobs()
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=3))
    appointment = book(flow.api, slot, new_customer(flow.api, mobile_phone="06-11112222"))
    flow.poll()
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    assert any(r.recipient == NUMBER and r.status == "delivered" for r in flow.sent())
    return appointment


def fail_one_job(flow: Flow, fault: FailSingleReads, appointment: int) -> None:
    fault.armed = True
    no_retry = JobSpec("workers.sync.sync_appointment", JOBS["sync_appointment"].queue, 30, ())
    agenda = flow.api.get_agendas()[0].id
    JobWriter(flow.redis).enqueue(no_retry, [agenda, appointment, None], FAILING_JOB)
    flow.run_jobs()
    assert flow.failed_jobs() == [FAILING_JOB]


def wait_for(driver: WebDriver, text: str) -> None:
    WebDriverWait(driver, 10).until(
        expected_conditions.text_to_be_present_in_element((By.TAG_NAME, "main"), text))


@pytest.mark.slow
def test_an_operator_sees_a_delivered_message_and_retries_a_failed_job(
    make_flow: Callable[..., Flow], tmp_path: Path
) -> None:
    faults: list[FailSingleReads] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        faults.append(FailSingleReads(app))
        return faults[0]

    flow = make_flow(wrap=wrap, OABRIDGE_ADMIN_TOKEN=ADMIN_TOKEN)
    appointment = deliver_one_sms(flow)
    fail_one_job(flow, faults[0], appointment)
    screenshot = tmp_path / "admin-failed-jobs.png"
    with serve(admin_app(flow.settings)) as url, chromium(tmp_path / "profile") as driver:
        driver.get(f"{url}/admin")
        assert driver.current_url.startswith(f"{url}/admin/login")
        driver.find_element(By.NAME, "token").send_keys(ADMIN_TOKEN)
        driver.find_element(By.CSS_SELECTOR, "main form button").click()
        wait_for(driver, "messages kept")

        driver.find_element(By.LINK_TEXT, "Messages").click()
        wait_for(driver, "newest first")
        rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "tbody tr")]
        mine = [r for r in rows if MASKED in r and f" {appointment} " in f" {r} "]
        assert mine and all("delivered" in r for r in mine), rows
        assert NUMBER not in driver.page_source
        assert not re.search(r"\+31\d{9}", driver.page_source)

        driver.find_element(By.LINK_TEXT, "Failed jobs").click()
        wait_for(driver, FAILING_JOB)
        row = driver.find_element(By.XPATH, f"//tr[td[text()='{FAILING_JOB}']]")
        assert "BookingTransportError" in row.text
        row.find_element(By.TAG_NAME, "button").click()
        wait_for(driver, "is back on its queue")
        assert not driver.find_elements(By.XPATH, f"//tr[td[text()='{FAILING_JOB}']]")
        assert driver.save_screenshot(str(screenshot))
    assert flow.failed_jobs() == []
    assert FAILING_JOB in Queue("sync", connection=flow.redis, serializer=JSONSerializer).job_ids
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert screenshot.stat().st_size > 10_000
