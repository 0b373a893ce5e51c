#!/usr/bin/python3
"""The dashboard and /metrics of both lab nodes, in headless Chromium, from the LAN client.

Run inside the client's namespace by scripts/lab-tests.sh (or scripts/demo.sh with
--screenshots-only). Chromium is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: requests on fd 3, replies and events on fd 4, each a JSON
object ended by a NUL byte), so nothing listens on a port and no package beyond Debian's
chromium is needed. /metrics is parsed with prometheus_client's text parser.

Each check prints "ok   NAME (detail)" or "FAIL NAME: detail"; the last line is
"N passed, N failed". Every wait is bounded.

usage: lab-dashboard.py OUTDIR FAILOVER-COMMAND... (e.g. bash scripts/lab.sh stop 1)
       lab-dashboard.py --screenshots-only OUTDIR SUFFIX [png|jpg]
"""
import fcntl
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

FW1 = "https://192.0.2.2"
FW2 = "https://192.0.2.3"
USER, PASSWORD = "admin", "tandem-lab"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class Browser:
    """One headless Chromium over --remote-debugging-pipe."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="tandem-chromium-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # Moved above 10 first, so that dup2 to 3 and 4 in the child cannot clobber one another.
        a = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        b = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)

        def wire():
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--ignore-certificate-errors", "--no-first-run", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--window-size=1280,1000", "--hide-scrollbars",
             "--user-data-dir=" + self.profile, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.profile, "stderr.log"), "w"),
            preexec_fn=wire, close_fds=False)
        os.close(a)
        os.close(b)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def call(self, method, params=None, session=None, timeout=20):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
            del self.events[:-200]

    def _read(self, deadline):
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from chromium in time")
            import select
            ready, _, _ = select.select([self.from_browser], [], [], 0.5)
            if ready:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def page(self):
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, session)

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser, session):
        self.b = browser
        self.session = session
        self.call("Page.enable")
        self.call("Network.enable")

    def call(self, method, params=None, timeout=20):
        return self.b.call(method, params, session=self.session, timeout=timeout)

    def js(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression, seconds):
        """Polls a JS condition until it is true or `seconds` pass; returns whether it came true."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if self.js(expression):
                    return True
            except RuntimeError:
                pass  # the page is between documents
            time.sleep(0.2)
        return False

    def goto(self, url):
        self.call("Page.navigate", {"url": url})
        return self.wait("document.readyState === 'complete' && location.href !== 'about:blank'", 15)

    def submit(self, button_id):
        """Clicks a button and waits for the next document."""
        self.js("window.__tandemOld = true")
        self.js(f"document.getElementById('{button_id}').click()")
        return self.wait("window.__tandemOld === undefined && document.readyState === 'complete'", 15)

    def login(self, base, user, password):
        self.goto(base + "/")
        self.js(f"document.getElementById('usernamefld').value = {json.dumps(user)};"
                f"document.getElementById('passwordfld').value = {json.dumps(password)}")
        return self.submit("login")

    def carp_states(self):
        return self.js("Array.from(document.querySelectorAll('#w-carp tr[data-vhid]'))"
                       ".map(r => r.getAttribute('data-vhid') + ' ' + r.cells[3].innerText.trim())") or []

    def screenshot(self, path):
        params = {"format": "png", "captureBeyondViewport": True}
        if path.endswith(".jpg"):
            params.update(format="jpeg", quality=70)
        data = self.call("Page.captureScreenshot", params)["data"]
        import base64
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return os.path.getsize(path)

    def cookies(self, url):
        return {c["name"]: c for c in self.call("Network.getCookies", {"urls": [url]})["cookies"]}


def scrape(base):
    """/metrics of a node, parsed: {(name, frozenset(labels)): value}."""
    from prometheus_client.parser import text_string_to_metric_families
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(base + "/metrics", context=context, timeout=10) as r:
        text = r.read().decode()
        content_type = r.headers.get("Content-Type", "")
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples, content_type, len(text)


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}" + (f" ({detail})" if detail else ""), flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}", flush=True)
        return ok


def screenshots_only(outdir, suffix, extension="png"):
    """For `make demo`: log in to both nodes and save a screenshot of each."""
    os.makedirs(outdir, exist_ok=True)
    browser = Browser()
    try:
        for name, base in (("primaryfw", FW1), ("secondaryfw", FW2)):
            page = browser.page()
            try:
                page.login(base, USER, PASSWORD)
            except RuntimeError:
                pass  # no login form: the node does not answer, reported below
            if not page.wait("document.querySelectorAll('#w-carp tr[data-vhid]').length > 0", 5):
                print(f"-> {name}: {base}/ does not answer (stopped?): no screenshot")
                continue
            path = os.path.realpath(os.path.join(outdir, f"dashboard-{name}-{suffix}.{extension}"))
            page.screenshot(path)
            print(f"-> {name}: {', '.join(page.carp_states())}; screenshot {path}")
    finally:
        browser.close()


def main():
    if sys.argv[1] == "--screenshots-only":
        screenshots_only(*sys.argv[2:5])
        return 0
    outdir, failover = sys.argv[1], sys.argv[2:]
    os.makedirs(outdir, exist_ok=True)
    c = Checks()
    started = time.monotonic()
    browser = Browser()
    try:
        p1, p2 = browser.page(), browser.page()

        # A wrong password is refused with pfSense's message and no session.
        p1.login(FW1, USER, "wrong-password")
        text = p1.js("document.body.innerText") or ""
        c.check("wrong password refused", "Username or Password incorrect" in text
                and "tandem_session" not in p1.cookies(FW1), "Username or Password incorrect" if "incorrect" in text else text[:200])

        # Logins; the session cookie's flags.
        c.check("login primaryfw", p1.login(FW1, USER, PASSWORD) and p1.js("!!document.getElementById('w-carp')"),
                p1.js("document.title"))
        c.check("login secondaryfw", p2.login(FW2, USER, PASSWORD) and p2.js("!!document.getElementById('w-carp')"),
                p2.js("document.title"))
        cookie = p1.cookies(FW1).get("tandem_session", {})
        c.check("session cookie Secure, HttpOnly, SameSite=Strict",
                cookie.get("secure") and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict",
                json.dumps({k: cookie.get(k) for k in ("secure", "httpOnly", "sameSite", "session")}))

        s1, s2 = p1.carp_states(), p2.carp_states()
        c.check("primaryfw shows MASTER", s1 and all(s.endswith("MASTER") for s in s1), ", ".join(s1))
        c.check("secondaryfw shows BACKUP", s2 and all(s.endswith("BACKUP") for s in s2), ", ".join(s2))
        size = p1.screenshot(os.path.join(outdir, "dashboard-primaryfw.png"))
        p2.screenshot(os.path.join(outdir, "dashboard-secondaryfw-before.png"))
        c.check("screenshots saved", size > 10_000, f"{outdir}/dashboard-primaryfw.png, {size} bytes")

        # A form post without the CSRF token, and with a wrong one, is refused (the session
        # cookie goes along: SameSite does not stop a same-origin request).
        codes = p2.js("""Promise.all([
            fetch('/action/maintenance', {method: 'POST', body: new URLSearchParams({on: 'on'})}).then(r => r.status),
            fetch('/action/maintenance', {method: 'POST', body: new URLSearchParams({on: 'on', __csrf_magic: 'forged'})}).then(r => r.status)])""")
        c.check("POST without CSRF token refused", codes == [403, 403], f"HTTP {codes}")
        c.check("maintenance unchanged by refused posts", "ON" not in p2.js("document.getElementById('maintenance-state').innerText"))

        # Maintenance on and off on the secondary (it stays BACKUP, advertising 254).
        ok = p2.submit("maintenance-toggle")
        state = p2.js("document.getElementById('maintenance-state').innerText")
        flash = p2.js("(document.getElementById('flash') || {}).innerText")
        c.check("maintenance on", ok and "ON" in state, f"{state.strip()}; {flash}")
        ok = p2.submit("maintenance-toggle")
        state = p2.js("document.getElementById('maintenance-state').innerText")
        c.check("maintenance off", ok and "off" in state, state.strip())

        # "Sync now" on the primary: the push service pushes the running revision; the config
        # sync widget shows the result without a reload.
        def pushes():
            return value(scrape(FW1)[0], "tandem_config_push_total", result="pushed") or 0
        before = pushes()
        ok = p1.submit("sync-now")
        flash = p1.js("(document.getElementById('flash') || {}).innerText") or ""
        deadline = time.monotonic() + 15
        while pushes() <= before and time.monotonic() < deadline:
            time.sleep(0.3)
        after = pushes()
        shown = p1.wait("/Last push\\s*pushed/.test(document.getElementById('w-configsync').innerText)", 5)
        c.check("sync now pushes to the peer", ok and "Pushing" in flash and after > before and shown,
                f"pushes counted {before:.0f} -> {after:.0f}; " + flash)

        # /metrics from the LAN, before the failover.
        m2, content_type, length = scrape(FW2)
        c.check("metrics parse", value(m2, "tandem_carp_state", interface="lan0", vhid="1", state="BACKUP") == 1
                and value(m2, "tandem_statesync_lag_records") is not None
                and value(m2, "tandem_statesync_flows", table="local") is not None
                and "version=0.0.4" in content_type, f"{length} bytes, {len(m2)} samples")
        transitions_before = sum(v for (n, _), v in m2.items() if n == "tandem_carp_transitions_total")
        m1, _, _ = scrape(FW1)
        c.check("metrics: primary MASTER, logins and pushes counted",
                value(m1, "tandem_carp_state", interface="lan0", vhid="1", state="MASTER") == 1
                and (value(m1, "tandem_login_failures_total") or 0) >= 1
                and (value(m1, "tandem_config_push_total", result="pushed") or 0) >= 1,
                f"login failures {value(m1, 'tandem_login_failures_total')}, "
                f"pushes {value(m1, 'tandem_config_push_total', result='pushed')}")

        # Rule counters: CARP's advertisements alone keep the "CARP operation" rule counting.
        rows = p1.js("Array.from(document.querySelectorAll('#w-rules tbody tr')).filter(r => r.cells.length === 4)"
                     ".map(r => r.cells[1].innerText + ' ' + r.cells[2].innerText)") or []
        rule_series = {k: v for k, v in m1.items() if k[0] == "tandem_rule_packets_total"}
        c.check("top rules widget and metrics show counters", rows and rule_series and max(rule_series.values()) > 0,
                f"{rows[:2]}; {len(rule_series)} rule series")

        # The failover: the secondary's page changes without a reload.
        p2.js("window.__tandemNoReload = 'still here'")
        t0 = time.monotonic()
        subprocess.run(failover, check=True, stdout=subprocess.DEVNULL)
        changed = p2.wait("Array.from(document.querySelectorAll('#w-carp tr[data-vhid]'))"
                          ".every(r => r.cells[3].innerText.trim() === 'MASTER')", 15)
        seconds = time.monotonic() - t0
        kept = p2.js("window.__tandemNoReload") == "still here"
        c.check("secondaryfw widget shows MASTER after failover, without reload", changed and kept,
                f"{seconds:.1f} s after the primary stopped; {', '.join(p2.carp_states())}")
        p2.screenshot(os.path.join(outdir, "dashboard-secondaryfw-after.png"))

        m2b, _, _ = scrape(FW2)
        transitions_after = sum(v for (n, _), v in m2b.items() if n == "tandem_carp_transitions_total")
        c.check("metrics move after failover",
                value(m2b, "tandem_carp_state", interface="lan0", vhid="1", state="MASTER") == 1
                and value(m2b, "tandem_carp_state", interface="lan0", vhid="1", state="BACKUP") == 0
                and transitions_after > transitions_before,
                f"transitions {transitions_before:.0f} -> {transitions_after:.0f}")

        # Logout ends the session: the widgets answer 401 and / is the login form again.
        p2.submit("logout")
        status = p2.js("fetch('/widgets').then(r => r.status)")
        c.check("logout", status == 401 and p2.js("!!document.getElementById('usernamefld')"), f"/widgets HTTP {status}")
    except Exception as e:  # a broken step fails the run, with its reason
        c.check("dashboard run", False, f"{type(e).__name__}: {e}")
    finally:
        browser.close()
    print(f"dashboard checks took {time.monotonic() - started:.1f} s")
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
