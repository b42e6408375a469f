"""Headless Chromium driven over the DevTools protocol: a page loaded at a phone's or a desktop's
width (mobile emulation honours the page's viewport tag, as a phone does), a script evaluated in it,
a full-page screenshot. Chromium is Debian's package; tests skip, saying so, where it is absent."""
from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import time
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NOT_INSTALLED = "Chromium is not installed (Debian: apt-get install chromium): the browser test did not run"


class Browser:
    def __init__(self, profile: Path):
        from websockets.sync.client import connect

        self.process = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                         f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        active = profile / "DevToolsActivePort"  # Chromium writes its port and path here once listening
        deadline = time.monotonic() + 60
        while not (active.exists() and len(active.read_text().split()) == 2):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port, path = active.read_text().split()
        self.closing = contextlib.ExitStack()
        self.socket = self.closing.enter_context(connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=30))
        self.ids = itertools.count(1)
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def call(self, method: str, session: str | None = None, **params):
        number = next(self.ids)
        message = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            answer = json.loads(self.socket.recv(timeout=120))
            if answer.get("id") == number:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def page(self, method: str, **params):
        return self.call(method, self.session, **params)

    def open(self, url: str, width: int, height: int = 844, mobile: bool = True) -> None:
        """Load url in a window `width` CSS pixels wide; wait until it and its fonts have loaded."""
        self.page("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=mobile)
        self.page("Page.enable")
        self.page("Page.navigate", url=url)
        deadline = time.monotonic() + 60
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not finish loading")
            time.sleep(0.2)
        self.evaluate("document.fonts.ready.then(() => true)")

    def evaluate(self, expression: str):
        result = self.page("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        """The whole page, as tall as its content."""
        shot = self.page("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        from servers import stop_process

        if getattr(self, "closing", None):
            self.closing.close()
        stop_process(self.process)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# Everything the page lays out, checked where it is: an element sticking out past the window's
# right edge (or left of 0) that no scrolling box of its own holds. A wide table inside a box
# that scrolls sideways is allowed; a chart, a heading or the page itself is not.
OVERFLOW = """(() => {
  const width = document.documentElement.clientWidth;
  const inScroller = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
    return false; };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || inScroller(el)) continue;
    if (box.right > width + 0.5 || box.left < -0.5)
      wide.push(`${el.tagName.toLowerCase()}${el.className && el.className.baseVal === undefined ? '.' + el.className : ''} ` +
                `${Math.round(box.left)}..${Math.round(box.right)}`);
  }
  return {window: window.innerWidth, layout: width, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 20)};
})()"""
