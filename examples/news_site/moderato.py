"""A tiny client for Moderato's API, as a site's back end would have (standard library only)."""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

# A 429 is tried again this many times at most, and only when Moderato asks for
# a wait this short: the reader is waiting on the page. A busy site's burst is
# told to wait about a second; a reader posting too often, 15 s or more, and is
# better told so at once.
RETRIES = 3
LONGEST_WAIT_SECONDS = 5


@dataclass(frozen=True)
class Answer:
    """Moderato's status code and JSON body, and the seconds it asked to wait, if any."""

    status: int
    body: dict
    retry_after: int | None = None


class Moderato:
    """Talks to one Moderato instance as one site: its name and its API key."""

    def __init__(
        self,
        base_url: str,
        site: str,
        site_key: str | None,
        timeout: float = 5,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.site = site
        self.site_key = site_key
        self.timeout = timeout
        self.sleep = sleep

    def submit(self, comment: dict) -> Answer:
        """Post a reader's comment with the site key (which never reaches the browser).

        A 429 with a short Retry-After is sent again after that wait, a few times.
        """
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.site_key}"}
        data = json.dumps(comment).encode()
        for _ in range(RETRIES):
            answer = self._call("POST", "/api/v1/comments", data, headers)
            wait = answer.retry_after
            if answer.status != 429 or wait is None or wait > LONGEST_WAIT_SECONDS:
                return answer
            self.sleep(wait)
        return self._call("POST", "/api/v1/comments", data, headers)

    def approved(self, post_id: str) -> Answer:
        """Read the site's published comments on a post."""
        query = urllib.parse.urlencode({"site": self.site})
        return self._call("GET", f"/api/v1/posts/{urllib.parse.quote(post_id)}/comments?{query}")

    def _call(self, method: str, path: str, data=None, headers=None) -> Answer:
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=headers or {}, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Answer(response.status, json.load(response))
        except urllib.error.HTTPError as error:
            try:
                body = json.load(error)
            except ValueError:
                body = {"error": error.reason}
            return Answer(error.code, body, _seconds(error.headers.get("Retry-After")))
        except (urllib.error.URLError, TimeoutError) as error:
            # Moderato down: the page still renders, the form says so.
            return Answer(503, {"error": f"Moderato is unreachable: {error}"})


def _seconds(retry_after: str | None) -> int | None:
    """Read a Retry-After given in seconds; None if absent or an HTTP date."""
    return int(retry_after) if retry_after and retry_after.isdigit() else None
