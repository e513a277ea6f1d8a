"""A tiny client for Moderato's API, as a site's back end would have (standard library only)."""

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """Moderato's status code and JSON body."""

    status: int
    body: dict


class Moderato:
    """Talks to one Moderato instance as one site: its name and its API key."""

    def __init__(self, base_url: str, site: str, site_key: str | None, timeout: float = 5):
        self.base_url = base_url.rstrip("/")
        self.site = site
        self.site_key = site_key
        self.timeout = timeout

    def submit(self, comment: dict) -> Answer:
        """Post a reader's comment with the site key (which never reaches the browser)."""
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.site_key}"}
        return self._call("POST", "/api/v1/comments", json.dumps(comment).encode(), headers)

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
            return Answer(error.code, body)
        except (urllib.error.URLError, TimeoutError) as error:
            # Moderato down: the page still renders, the form says so.
            return Answer(503, {"error": f"Moderato is unreachable: {error}"})
