"""Keep a folder of our live stories, as IPTC ninjs, in step with the site.

    python examples/partner_sync.py --base https://news.example.com --into stories/

The first run pulls every live story (the articles list, page by page) and writes each as
ninjs to DIR/<guid>.json. Later runs follow the changes feed from where the last one
stopped: a story published or updated is fetched again, a withdrawn one is deleted. Run it
from cron as often as you like; DIR/.cursor holds the place.

--full pulls everything again and deletes the files of stories no longer live: run it now
and then (say weekly) to repair anything a missed change left behind.

Standard library only (Python 3.10 or later): copy it and change what you need.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

CURSOR_FILE = ".cursor"
USER_AGENT = "partner-sync/1 (+examples/partner_sync.py)"
RETRIES = 3
# No answer of the API comes near this (a page of 500 changes is about 300 kB).
MAX_ANSWER = 20 * 1024 * 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="The site, e.g. https://news.example.com")
    parser.add_argument("--into", required=True, type=Path, help="The folder to keep stories in")
    parser.add_argument(
        "--full", action="store_true", help="Pull every live story again; delete the rest"
    )
    args = parser.parse_args(argv)
    sync = Sync(args.base, args.into)
    try:
        sync.run(full=args.full)
    except (urllib.error.URLError, OSError, ValueError) as error:
        print(f"partner_sync: {error}", file=sys.stderr)
        return 1
    print(f"partner_sync: {sync.written} written, {sync.removed} removed")
    return 0


class Sync:
    def __init__(self, base, folder):
        self.base = base.rstrip("/")
        self.folder = folder
        self.written = self.removed = 0

    def run(self, *, full=False):
        self.folder.mkdir(parents=True, exist_ok=True)
        cursor_file = self.folder / CURSOR_FILE
        if cursor_file.exists() and not full:
            self.follow(cursor_file.read_text().strip())
        else:
            self.pull_everything()

    def pull_everything(self):
        # The place in the changes feed is taken first: what changes during the pull is
        # listed after it, and the next run replays it (fetching a story twice is harmless).
        start = field(self.get_json(f"{self.base}/api/v1/changes/latest"), "cursor", str)
        url = f"{self.base}/api/v1/articles/"
        live = set()
        while url:
            page = self.get_json(url)
            for story in items_of(page):
                guid = field(story, "guid", str)
                live.add(file_for(self.folder, guid))
                self.fetch(guid, self.ninjs_url(field(story, "slug", str)))
            url = field(page, "next", (str, type(None)))
        for path in self.folder.glob("*.json"):
            if path not in live:  # no longer live here: a change we never heard of
                path.unlink()
                self.removed += 1
        self.save_cursor(start)

    def follow(self, cursor):
        url = f"{self.base}/api/v1/changes/?{urllib.parse.urlencode({'since': cursor})}"
        while True:
            page = self.get_json(url)
            changes = items_of(page)
            for change in changes:
                kind = field(change, "kind", str)
                guid = field(change, "guid", str)
                if kind == "withdrawn":
                    self.remove(guid)
                elif kind in ("published", "updated"):
                    self.fetch(guid, field(field(change, "links", dict), "ninjs", str))
                # (A kind this script does not know is passed over, not guessed at.)
                # Saved after each change: a run that stops halfway starts again here.
                self.save_cursor(field(change, "cursor", str))
            # An answer that says "more" but brings nothing would have us ask forever.
            if not (changes and field(page, "more", bool)):
                return
            url = field(page, "next", str)

    def fetch(self, guid, url):
        """Write the story's ninjs to <guid>.json; a story gone since (404, 410) is removed:
        a later change in the feed says what became of it."""
        try:
            item = self.get_json(url)
        except urllib.error.HTTPError as error:
            if error.code in (404, 410):
                self.remove(guid)
                return
            raise
        # The story asked for, not another one written under its name.
        if field(item, "uri", str) != f"urn:uuid:{uuid.UUID(guid)}":
            raise ValueError(f"{url} answered the story {item['uri']!r}, not urn:uuid:{guid}")
        write_atomically(file_for(self.folder, guid), json.dumps(item, indent=2))
        self.written += 1

    def remove(self, guid):
        try:
            file_for(self.folder, guid).unlink()
        except FileNotFoundError:
            return
        self.removed += 1

    def save_cursor(self, cursor):
        write_atomically(self.folder / CURSOR_FILE, cursor + "\n")

    def ninjs_url(self, slug):
        return f"{self.base}/api/v1/articles/{urllib.parse.quote(slug)}.ninjs"

    def get_json(self, url):
        # Only addresses on the site: a link in an answer must not send us to another
        # server, or to a file:// on this machine.
        if not url.startswith(f"{self.base}/"):
            raise ValueError(f"refusing to follow {url!r}: it is not on {self.base}")
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
        )
        attempts = 0
        while True:
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    data = response.read(MAX_ANSWER + 1)
                if len(data) > MAX_ANSWER:
                    raise ValueError(f"{url} answered more than {MAX_ANSWER} bytes")
                try:
                    return json.loads(data)
                except ValueError as error:
                    raise ValueError(f"{url} did not answer JSON ({error})") from None
            except urllib.error.HTTPError as error:
                # Too many requests, or the site busy: wait as long as it asks, then again.
                attempts += 1
                if error.code not in (429, 503) or attempts > RETRIES:
                    raise
                time.sleep(seconds_to_wait(error.headers.get("Retry-After")))


def field(obj, name, kind):
    """obj[name], checked to be of `kind`: an answer of another shape stops the run with a
    message (ValueError), before anything is written from it."""
    if not isinstance(obj, dict) or not isinstance(obj.get(name), kind):
        raise ValueError(f"unexpected answer from the server: no {name!r} of the right type")
    return obj[name]


def items_of(page):
    items = field(page, "items", list)
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("unexpected answer from the server: an item is not an object")
    return items


def seconds_to_wait(retry_after):
    # Retry-After is seconds or an HTTP date; for a date, or nothing, wait a little.
    return min(int(retry_after), 60) if retry_after and retry_after.isdigit() else 5


def file_for(folder, guid):
    # The guid names the file: checked to be one, so no answer can write outside the folder.
    return folder / f"{uuid.UUID(guid)}.json"


def write_atomically(path, text):
    """Write the whole file or nothing: a reader never sees half a story."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


if __name__ == "__main__":
    sys.exit(main())
