"""Open a page in headless Chromium (the Debian package) and report what a person would get:
a screenshot, the console errors and every network request the page made.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON
messages separated by NUL on file descriptors 3 and 4), so no websocket library and no
browser download is needed. Outside CI a missing Chromium skips the tests that need it; in CI
(``CI=true``) it fails them, so the browser checks can never silently drop out.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import attrs
import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def binary() -> str:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("Chromium ontbreekt in CI: .ci/run moet het Debian-pakket chromium "
                    "installeren")
    pytest.skip("geen Chromium: installeer het Debian-pakket chromium voor deze tests")


@attrs.frozen
class PageVisit:
    screenshot: bytes
    console_errors: tuple[str, ...]
    requests: tuple[str, ...]  # every URL the page asked for, the page itself excluded
    # what a reader sees in the body as rendered (innerText), footnotes (.notes) left out
    body_text: str = ""


class _Pipe:
    def __init__(self, proc: subprocess.Popen[bytes], write_fd: int, read_fd: int) -> None:
        self.proc, self.write_fd, self.read_fd = proc, write_fd, read_fd
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None, timeout: float = 30) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method,
                                   "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _read(self, deadline: float) -> dict[str, Any]:
        import select

        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium antwoordt niet")
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if ready:
                chunk = os.read(self.read_fd, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium is gestopt")
                self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message


#: the rendered text of the page's body without its footnotes
BODY_TEXT = ("document.querySelectorAll('.notes').forEach(n => n.remove());"
             " document.body.innerText")


def visit(page: Path, width: int = 1200, height: int = 900, *,
          clip: tuple[int, int, int, int, float] | None = None) -> PageVisit:
    """Load ``page`` (a file) and return the screenshot (the whole page, or ``clip``: x, y,
    width, height, scale), the console errors and the requests it made."""
    exe = binary()
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    # Moved above 4 first, so that placing them on 3 and 4 in the child clobbers neither.
    child_in, child_out = os.dup(to_child_r), os.dup(from_child_w)
    while min(child_in, child_out) <= 4:
        child_in, child_out = os.dup(child_in), os.dup(child_out)
    os.close(to_child_r)
    os.close(from_child_w)

    def fds() -> None:  # in the child: the protocol's descriptors are 3 (in) and 4 (out)
        os.dup2(child_in, 3)
        os.dup2(child_out, 4)

    profile = tempfile.mkdtemp(prefix="wams-chromium-")
    proc = subprocess.Popen(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
         "--no-first-run", "--no-default-browser-check", "--disable-extensions",
         "--disable-background-networking", "--disable-sync", "--hide-scrollbars",
         f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
        preexec_fn=fds, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(child_in)
    os.close(child_out)
    pipe = _Pipe(proc, to_child_w, from_child_r)
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target,
                                                      "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            pipe.send(f"{domain}.enable", session=session)
        pipe.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1,
                   "mobile": False}, session=session)
        url = page.resolve().as_uri()
        pipe.send("Page.navigate", {"url": url}, session=session)
        pipe.wait_for("Page.loadEventFired")
        # Let late console messages (CSP reports) arrive.
        pipe.send("Runtime.evaluate", {"expression": "1"}, session=session)
        options: dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
        if clip is not None:
            options["clip"] = dict(zip(("x", "y", "width", "height", "scale"), clip,
                                       strict=True))
        shot = pipe.send("Page.captureScreenshot", options, session=session)
        # After the screenshot: the text is read with the footnotes taken out of the page.
        seen = pipe.send("Runtime.evaluate", {"expression": BODY_TEXT, "returnByValue": True},
                         session=session)
        body_text = str(seen.get("result", {}).get("value", ""))
        errors, requests = [], []
        for e in pipe.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error",
                                                                                 "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                       for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                errors.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                errors.append(str(params["entry"].get("text")))
            elif method == "Network.requestWillBeSent":
                asked = params.get("request", {}).get("url", "")
                if asked != url:
                    requests.append(asked)
        try:
            pipe.send("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError):
            pass
        return PageVisit(base64.b64decode(shot["data"]), tuple(errors), tuple(requests),
                         body_text)
    finally:
        os.close(to_child_w)
        os.close(from_child_r)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
