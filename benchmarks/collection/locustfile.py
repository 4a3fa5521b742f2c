"""Load test of the pages a worker uses most (issue: people, episodes, schedules).

Each simulated user signs in as one of the seeded workers and, in turn, opens their
due list, a person's page, the answering page for a due time point, and saves an
answer. ``TrivialUser`` fetches /healthz/ only: the framework's own floor, served
the same way. Run by ``benchmarks/collection/run.py``; not on its own.
"""

from __future__ import annotations

import random
import re
import uuid

from locust import HttpUser, between, task

RADIO = re.compile(r'name="(i_[^"]+)" type="radio" value="([^"]+)"')
PEOPLE = re.compile(r'href="/o/bench/people/(\d+)/"')
ANSWER = re.compile(r'href="/o/bench/answer/time-points/(\d+)/"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class WorkerUser(HttpUser):
    # A worker reads each page before the next: 1 to 3 seconds between requests.
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.worker = random.randint(1, int(self.environment.parsed_options.workers))
        page = self.client.get("/sign-in/", name="sign-in page")
        token = TOKEN.search(page.text)
        self.client.post(
            "/sign-in/",
            {
                "username": f"worker{self.worker}@bench.example",
                "password": "openproms-demo",
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="sign in",
        )
        self.people: list[str] = []
        self.time_points: list[str] = []

    @task
    def due_list(self) -> None:
        response = self.client.get("/o/bench/due/", name="due list")
        self.people = PEOPLE.findall(response.text) or self.people
        self.time_points = ANSWER.findall(response.text) or self.time_points

    @task
    def person_page(self) -> None:
        if self.people:
            self.client.get(
                f"/o/bench/people/{random.choice(self.people)}/", name="person page"
            )

    @task
    def answer_and_save(self) -> None:
        if not self.time_points:
            return
        time_point = self.time_points.pop(random.randrange(len(self.time_points)))
        url = f"/o/bench/answer/time-points/{time_point}/"
        page = self.client.get(url, name="answering page")
        if page.status_code != 200:
            return
        answers: dict[str, str] = {}
        for name, value in RADIO.findall(page.text):
            answers.setdefault(name, value)
        if not answers:  # another simulated user (same worker) answered it first
            return
        token = TOKEN.search(page.text)
        answers["csrfmiddlewaretoken"] = token.group(1) if token else ""
        answers["submission_id"] = str(uuid.uuid4())
        with self.client.post(
            url, answers, name="save answer", catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code in (302, 303):
                response.success()
            else:
                response.failure(f"save answered {response.status_code}")


class TrivialUser(HttpUser):
    wait_time = between(1, 3)

    @task
    def health(self) -> None:
        self.client.get("/healthz/", name="trivial view (/healthz/)")


def _options(parser) -> None:  # type: ignore[no-untyped-def]
    parser.add_argument("--workers", default="40", help="number of seeded workers")


from locust import events  # noqa: E402

events.init_command_line_parser.add_listener(_options)
