"""Browser tests of the pages the node serves (docs/WEB.md), against real node processes.

Each test gets a demo network of its own (`sgpos demo`), starts the node processes it
needs (`sgpos node run`), and drives Debian's Chromium headless through Selenium. A
failing test leaves a screenshot, the page source and the browser console log in
$SGPOS_WEB_ARTIFACTS. Run by scripts/web-tests/run (make test).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

SGPOS = os.environ["SGPOS_BIN"]
ARTIFACTS = os.environ.get("SGPOS_WEB_ARTIFACTS", ".build/web-test-artifacts")


def sgpos(*arguments, check=True):
    result = subprocess.run([SGPOS, *arguments], capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"sgpos {' '.join(arguments)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


class Network:
    """A demo network in a temp dir and the node processes a test started."""

    def __init__(self, outlets=2, sales=6):
        self.directory = tempfile.mkdtemp(prefix="sgpos-web-")
        self.demo = os.path.join(self.directory, "demo")
        sgpos("demo", "--dir", self.demo, "--outlets", str(outlets), "--sales", str(sales))
        self.nodes = {}

    def config(self, outlet):
        with open(os.path.join(self.demo, f"node-{outlet}.json")) as file:
            return json.load(file)

    def url(self, outlet):
        http = self.config(outlet)["http"]
        return f"http://{http['host']}:{http['port']}"

    def start(self, outlet):
        log = open(os.path.join(self.directory, f"node-{outlet}.log"), "a")
        self.nodes[outlet] = subprocess.Popen(
            [SGPOS, "node", "run", "--data", os.path.join(self.demo, f"outlet-{outlet}"),
             "--config", os.path.join(self.demo, f"node-{outlet}.json"), "--log-level", "warning"],
            stdout=log, stderr=log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url(outlet) + "/v1/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"node {outlet} did not answer /v1/health within 30 s")

    def restart(self, outlet):
        process = self.nodes.pop(outlet)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        self.start(outlet)

    def stop_nodes(self):
        for process in self.nodes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.nodes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.nodes = {}

    def stop(self):
        self.stop_nodes()
        shutil.rmtree(self.directory, ignore_errors=True)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def wait(driver, condition, seconds=10):
    # A page that re-renders (the basket after each scan) replaces the elements a condition
    # is reading: that is "not yet", not a failure.
    return WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def receipt_payload(network):
    """A sale made at outlet 1's till 3 straight into its ledger: the receipt's QR payload."""
    connection = ["--data", os.path.join(network.demo, "outlet-1"), "--node-key", os.path.join(network.demo, "keys", "outlet-1.key"),
                  "--key", os.path.join(network.demo, "keys", "outlet-1-till-03.key")]
    sgpos("till", "shift", "open", *connection, "--amount", "100.00")
    sale = sgpos("till", "sell", *connection, "--item", "RICE-5KG:2", "--item", "PEN-BLUE:1", "--pay", "cash:50.00").stdout
    lines = sale.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("sgpos:1/"))
    payload = ""
    for line in lines[start:]:
        if line.startswith("transaction "):
            break
        payload += line
    return payload


def check(driver, base, payload):
    driver.get(base + "/check/")
    wait(driver, lambda d: "Pinned" in d.find_element(By.ID, "genesis-status").get_attribute("textContent")
         or "pinned earlier" in d.find_element(By.ID, "genesis-status").get_attribute("textContent"))
    box = driver.find_element(By.ID, "payload")
    box.clear()
    box.send_keys(payload)
    driver.find_element(By.ID, "check").click()
    verdict = wait(driver, expected_conditions.visibility_of_element_located((By.ID, "verdict")))
    wait(driver, lambda d: d.find_element(By.ID, "verdict").text.strip() != "")
    checks = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#checks li")]
    return verdict.text, checks


def test_receipt_checker(driver, network):
    payload = receipt_payload(network)
    network.start(1)
    base = network.url(1)
    verdict, checks = check(driver, base, payload)
    assert verdict.startswith("GENUINE: "), f"{verdict} {checks}"
    assert len(checks) >= 10 and all(line.startswith("✓") for line in checks), checks
    # One digit of the signature changed: refused, and the page says which check failed.
    last = payload[-1]
    forged = payload[:-1] + ("1" if last == "0" else "0")
    verdict, checks = check(driver, base, forged)
    assert verdict.startswith("NOT GENUINE"), verdict
    assert "✗ the transaction carries the receipt's signature" in checks, checks
    # One digit of the transaction id changed: this ledger has no such transaction.
    fields = payload.split("/")
    fields[4] = fields[4][:-1] + ("1" if fields[4][-1] == "0" else "0")
    verdict, _ = check(driver, base, "/".join(fields))
    assert verdict == "NOT GENUINE: this outlet's ledger has no such transaction", verdict
    # Not a receipt code at all.
    verdict, _ = check(driver, base, "hello")
    assert verdict == "NOT GENUINE: a receipt code starts with sgpos:1/", verdict


def visible(driver, element_id, seconds=15):
    return wait(driver, expected_conditions.visibility_of_element_located((By.ID, element_id)), seconds)


def scan(driver, element_id):
    """What zbar (Debian's zbar-tools, an independent decoder) reads from the QR code the
    browser shows in `element_id` (a screenshot of the element)."""
    wait(driver, lambda d: d.execute_script(
        "const i = document.getElementById(arguments[0]); return !i.hidden && i.complete && i.naturalWidth > 0", element_id), 15)
    directory = tempfile.mkdtemp(prefix="sgpos-qr-")
    try:
        for attempt in range(3):  # a screenshot taken while the page still lays out can miss the code
            path = os.path.join(directory, f"qr-{attempt}.png")
            driver.find_element(By.ID, element_id).screenshot(path)
            result = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True, timeout=30)
            if result.returncode == 0:
                return result.stdout.rstrip("\n")
            time.sleep(0.5)
        raise AssertionError(f"zbarimg found no QR code in {element_id}: {result.stderr}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def sales_by_till(network, outlet=1):
    """The sales report of `outlet`'s data directory (node stopped or not: LMDB readers are fine)."""
    report = sgpos("report", "sales", "--data", os.path.join(network.demo, f"outlet-{outlet}"), "--from", "2000-01-01",
                   "--to", "2999-12-31", "--format", "json").stdout
    return {figures["key"]: figures for figures in json.loads(report)["byTill"]}


def sell(driver, items, tendered):
    for sku, qty in items:
        driver.find_element(By.ID, "qty").clear()
        driver.find_element(By.ID, "qty").send_keys(str(qty))
        driver.find_element(By.ID, "sku").send_keys(sku + "\n")
        wait(driver, lambda d: any(row.text.startswith(sku) for row in d.find_elements(By.CSS_SELECTOR, "#basket tbody tr")))
    wait(driver, lambda d: d.find_element(By.ID, "pay").is_enabled())
    driver.find_element(By.ID, "tendered").send_keys(tendered)
    driver.find_element(By.ID, "pay").click()


def test_till(driver, network):
    """Pair the browser as a till, open a shift, sell with cash, check the receipt in the
    checker, refund a line, survive the node going away mid-sale without a duplicate, close
    the shift."""
    network.start(1)
    base = network.url(1)
    driver.get(base + "/till/")
    key = visible(driver, "public-key").text
    assert len(key) == 64, key
    assert scan(driver, "pairing-qr") == f"sgpos-pair:1/{key}"
    sgpos("keys", "register", "--node", base, "--key", os.path.join(network.demo, "keys", "outlet-1-manager.key"),
          "--public-key", key, "--principal", "till-web-01")
    visible(driver, "open-shift", 20)
    driver.find_element(By.ID, "float").clear()
    driver.find_element(By.ID, "float").send_keys("100.00\n")
    visible(driver, "selling")
    assert "till-web-01" in driver.find_element(By.ID, "who").text

    # A cash sale; the receipt shows; the checker calls it genuine.
    sell(driver, [("RICE-5KG", 2), ("PEN-BLUE", 1)], "50.00")
    document = visible(driver, "document")
    text = driver.find_element(By.ID, "document-text").text
    assert "TAX INVOICE" in text and "RICE-5KG" in text and "Change" in text, text
    payload = document.get_attribute("data-payload")
    assert payload.startswith("sgpos:1/"), payload
    assert scan(driver, "document-qr") == payload, "the receipt's QR code as the browser shows it decodes to its payload"
    verdict, checks = check(driver, base, payload)
    assert verdict.startswith("GENUINE: "), f"{verdict} {checks}"

    # A refund of one unit of line 1, found by its receipt code.
    driver.get(base + "/till/")
    visible(driver, "selling")
    driver.find_element(By.CSS_SELECTOR, "#after-sale summary").click()
    driver.find_element(By.ID, "lookup").send_keys(payload + "\n")
    visible(driver, "lookup-result")
    driver.find_element(By.ID, "refund-lines").send_keys("1:1")
    driver.find_element(By.ID, "refund-button").click()
    visible(driver, "document")
    assert "CREDIT NOTE" in driver.find_element(By.ID, "document-text").text
    driver.find_element(By.ID, "next").click()
    visible(driver, "selling")

    # PayNow: the node makes the SGQR code for the amount due; zbar reads it as the
    # customer's banking app would; once paid the sale carries it.
    driver.find_element(By.ID, "qty").clear()
    driver.find_element(By.ID, "qty").send_keys("2")
    driver.find_element(By.ID, "sku").send_keys("PEN-BLUE\n")
    wait(driver, lambda d: d.find_element(By.ID, "pay").is_enabled())
    due = driver.find_element(By.ID, "total-amount").text
    Select(driver.find_element(By.ID, "tender-kind")).select_by_value("paynow")
    driver.find_element(By.ID, "pay").click()
    visible(driver, "paynow")
    code = scan(driver, "paynow-qr")
    assert code.startswith("000201") and "SG.PAYNOW" in code and f"54{len(due):02d}{due}" in code, (code, due)
    driver.find_element(By.ID, "paynow-paid").click()
    visible(driver, "document")
    assert "PAYNOW" in driver.find_element(By.ID, "document-text").text.upper()
    driver.find_element(By.ID, "next").click()
    visible(driver, "selling")
    Select(driver.find_element(By.ID, "tender-kind")).select_by_value("cash")

    # The node goes away between the prepare and the submit: the signed sale is kept and
    # sent again, the same bytes, once the node is back (after a restart, and a page reload).
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/v1/transactions"]})
    sell(driver, [("PEN-BLUE", 3)], "20.00")
    wait(driver, lambda d: "cannot be reached" in d.find_element(By.ID, "pending-title").text, 20)
    assert "unreachable" in driver.find_element(By.ID, "connection").text
    network.restart(1)
    driver.refresh()
    wait(driver, lambda d: "cannot be reached" in d.find_element(By.ID, "pending-title").text, 20)
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    visible(driver, "document", 30)
    assert "PEN-BLUE" in driver.find_element(By.ID, "document-text").text
    driver.find_element(By.ID, "next").click()
    visible(driver, "selling")

    # Close the shift with the cash counted.
    driver.find_element(By.CSS_SELECTOR, "#after-sale summary").click()
    driver.find_element(By.ID, "counted").send_keys("140.00\n")  # the cash expected is shown with it
    visible(driver, "open-shift")
    assert "closed" in driver.find_element(By.ID, "message").text

    network.stop_nodes()
    figures = sales_by_till(network)["till-web-01"]
    assert figures["salesCount"] == 3, figures
    assert figures["refundsTotal"] != "0.00", figures
    audit = sgpos("audit", "verify", os.path.join(network.demo, "outlet-1"), "--genesis", os.path.join(network.demo, "genesis.json"))
    assert audit.stdout.strip().splitlines()[-1].startswith("OK"), audit.stdout


def pair_till(driver, network, outlet, principal):
    """Pairs the browser as a till of `outlet` (registered by the outlet's manager) and opens a shift."""
    base = network.url(outlet)
    driver.get(base + "/till/")
    key = visible(driver, "public-key").text
    sgpos("keys", "register", "--node", base, "--key", os.path.join(network.demo, "keys", f"outlet-{outlet}-manager.key"),
          "--public-key", key, "--principal", principal)
    visible(driver, "open-shift", 20)
    driver.find_element(By.ID, "float").clear()
    driver.find_element(By.ID, "float").send_keys("100.00\n")
    visible(driver, "selling")


def outlet_sales(driver, outlet):
    """Today's sales count of `outlet` as the back office dashboard shows it (0 without a row)."""
    cells = driver.find_elements(By.ID, f"outlet-{outlet}-count")
    return int(cells[0].text) if cells else 0


def pair_office(driver, network, base, role, principal):
    """Opens the back office on `base`, checks the pairing it shows, registers its key with the admin's."""
    driver.get(base + "/office/")
    key = visible(driver, "public-key").text
    command = driver.find_element(By.ID, "pairing-command").text
    assert len(key) == 64 and key in command and "--role operator" in command, command
    sgpos("keys", "register", "--node", network.url(1), "--key", os.path.join(network.demo, "keys", "admin-hq-admin.key"),
          "--public-key", key, "--role", role, "--principal", principal)
    visible(driver, "dashboard", 20)
    wait(driver, lambda d: "live-badge on" in d.find_element(By.ID, "live").get_attribute("class"), 15)


def signed_get(driver, target):
    """GET `target` signed by the page's office key (the page's own modules), as {status, type, disposition, text}."""
    return driver.execute_async_script("""
        const [target, done] = arguments;
        Promise.all([import("/js/keys.js"), import("/js/signed-fetch.js")])
          .then(([keys, signed]) => keys.keyPair("office").then((pair) => signed.signedFetch(pair, "GET", target)))
          .then((response) => response.text().then((text) => done({ status: response.status, type: response.headers.get("Content-Type"),
                                                                     disposition: response.headers.get("Content-Disposition"), text })))
          .catch((error) => done({ status: 0, text: String(error) }));""", target)


def test_dashboard(driver, network):
    """The back office on node 1, paired by an admin: the dashboard follows the node's block
    events, so a sale at a till of outlet 2 (through node 2, replicated to node 1) shows
    within 2 s of its submit answering; today's sales download as CSV; the reports page
    shows a report with a chart; an operator's dashboard covers its own outlet."""
    network.start(1)
    network.start(2)
    deadline = time.time() + 30
    while json.load(urllib.request.urlopen(network.url(1) + "/v1/health", timeout=2))["peersConnected"] < 1:
        assert time.time() < deadline, "node 1 did not connect to node 2"
        time.sleep(0.2)
    base = network.url(1)
    # Head office follows every outlet: the key registered as an auditor.
    pair_office(driver, network, base, "auditor", "office-hq")
    assert "every outlet" in driver.find_element(By.ID, "scope").text
    before = outlet_sales(driver, 2)

    till = browser()
    try:
        pair_till(till, network, 2, "till-web-02")
        sell(till, [("RICE-5KG", 1)], "20.00")
        visible(till, "document", 20)
        # When the submit was answered: the browser's own timing of POST /v1/transactions.
        answered = till.execute_script("""
            const entry = performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/v1/transactions")).pop();
            return entry ? (performance.timeOrigin + entry.responseEnd) / 1000 : null;""") or time.time()
        WebDriverWait(driver, 5, poll_frequency=0.05).until(lambda d: outlet_sales(d, 2) == before + 1)
        elapsed = time.time() - answered
        assert elapsed <= 2.0, f"the dashboard showed the sale {elapsed:.2f} s after the submit answered"
        print(f"  dashboard updated {elapsed:.2f} s after the sale at outlet 2 was answered")
    finally:
        till.quit()

    # Today's sales as CSV: the page's download, and the same call checked here.
    driver.find_element(By.ID, "download-today").click()
    wait(driver, lambda d: d.find_element(By.ID, "csv-status").get_attribute("data-filename"))
    status = driver.find_element(By.ID, "csv-status")
    assert status.get_attribute("data-filename").startswith("sales-"), status.text
    header = "group,key,salesCount,salesTotal,refundsTotal,voidsTotal,netSales,quantity,amount,gst"
    assert status.get_attribute("data-header") == header, status.text
    answer = signed_get(driver, "/v1/reports/sales?format=csv")
    assert answer["status"] == 200 and answer["type"] == "text/csv; charset=utf-8", answer
    assert answer["text"].startswith(header + "\r\n") and "\r\noutlet,2," in answer["text"], answer["text"][:300]
    assert answer["disposition"].startswith('attachment; filename="sales-'), answer

    # The reports page: the sales report as tables with its charts.
    driver.get(base + "/office/reports.html")
    visible(driver, "reports", 20)
    driver.find_element(By.ID, "show").click()
    wait(driver, lambda d: d.find_element(By.ID, "report-output").get_attribute("data-report") == "sales")
    output = driver.find_element(By.ID, "report-output")
    assert len(output.find_elements(By.CSS_SELECTOR, "svg.chart")) == 2 and "Totals" in output.text, output.text[:300]
    # Where a lot is: the demo's milk lot L2611B, 12 received at each outlet (its opening delivery).
    Select(driver.find_element(By.ID, "report")).select_by_value("lot")
    driver.find_element(By.ID, "gtin").send_keys("09556001234568")
    driver.find_element(By.ID, "lot").send_keys("L2611B")
    driver.find_element(By.ID, "show").click()
    wait(driver, lambda d: d.find_element(By.ID, "report-output").get_attribute("data-report") == "lot")
    output = driver.find_element(By.ID, "report-output")
    assert "MILK-1L" in output.text and "Outlets" in output.text and "2027-12-31" in output.text, output.text[:400]

    # A manager (an operator of outlet 1) sees outlet 1: another origin, so another browser key.
    pair_office(driver, network, base.replace("127.0.0.1", "localhost"), "operator", "office-1")
    assert "outlet 1" in driver.find_element(By.ID, "scope").text
    assert not driver.find_elements(By.ID, "outlet-2"), "an operator of outlet 1 reads outlet 1's figures only"


def test_explorer(driver, network):
    """The explorer on a network of 4 outlets (so with checkpoints): pair the office key as
    an operator, open outlet 1's newest block (its signature and transaction root checked in
    the browser), the block before it holds a sale decoded into sale_lines rows, a search by
    transaction id and by receipt code lands on the sale's block, and the checkpoints list
    one covering all 4 outlets."""
    payload = receipt_payload(network)
    sale_id = payload.split("/")[4]
    network.start(1)
    base = network.url(1)
    driver.get(base + "/explorer/")
    key = visible(driver, "public-key", 20).text
    assert len(key) == 64, key
    assert "--role operator" in driver.find_element(By.ID, "pairing-command").text
    # Only an admin registers an operator (a manager's key may register tills).
    sgpos("keys", "register", "--node", base, "--key", os.path.join(network.demo, "keys", "admin-hq-admin.key"),
          "--public-key", key, "--role", "operator", "--principal", "explorer-1")
    visible(driver, "explorer", 20)
    assert "explorer-1" in driver.find_element(By.ID, "who").text
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#outlets tbody tr")) == 4, 20)

    # Outlet 1's newest block (the key registration): checked in the browser.
    driver.find_element(By.CSS_SELECTOR, "#outlets a[data-outlet='1']").click()
    newest = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#blocks a[data-height]"), 20)[0]
    height = int(newest.get_attribute("data-height"))
    newest.click()
    verified = lambda d: "signature ✓, transaction root ✓" in d.find_element(By.ID, "verification").text
    wait(driver, lambda d: d.find_elements(By.ID, "verification") and verified(d), 20)
    assert "✗" not in driver.find_element(By.ID, "verification").text, driver.find_element(By.ID, "verification").text
    assert "register-key" in driver.find_element(By.ID, "transactions").text or "registry" in driver.find_element(By.ID, "transactions").text

    # The block before it: the sale, decoded (not hex) into sale_lines rows.
    driver.find_element(By.LINK_TEXT, f"‹ block {height - 1}").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"section[data-tx='{sale_id}']"), 20)
    wait(driver, verified, 20)
    lines = driver.find_element(By.CSS_SELECTOR, f"section[data-tx='{sale_id}'] table[data-table='sale_lines']").text
    assert "RICE-5KG" in lines and "PEN-BLUE" in lines, lines
    assert driver.find_element(By.CSS_SELECTOR, f"section[data-tx='{sale_id}'] table[data-table='sales']")

    # Search: a transaction id, then a receipt code, each lands on its block with the transaction marked.
    for text in (sale_id, payload):
        driver.get(base + "/explorer/#outlet=1")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#blocks a[data-height]"), 20)
        box = driver.find_element(By.ID, "search")
        box.clear()
        box.send_keys(text + "\n")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"section.highlight[data-tx='{sale_id}']"), 20)
        wait(driver, verified, 20)
        assert f"block {height - 1}" in driver.find_element(By.CSS_SELECTOR, "#view h1").text

    # The checkpoints: at least one final, covering all 4 outlets.
    driver.find_element(By.LINK_TEXT, "Outlets").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#checkpoint-list tr[data-heads='4']"), 30)


test_explorer.outlets = 4


TESTS = [test_receipt_checker, test_till, test_dashboard, test_explorer]


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    # More tests live in sibling modules that import this one's helpers (`from web_tests import …`).
    import office_tests
    import till_tests
    tests = TESTS + till_tests.TESTS + office_tests.TESTS
    selected = [t for t in tests if len(sys.argv) < 2 or t.__name__ in sys.argv[1:]]
    failed = 0
    for test in selected:
        started = time.time()
        network = Network(outlets=getattr(test, "outlets", 2))
        driver = browser()
        try:
            test(driver, network)
            print(f"PASS {test.__name__} ({time.time() - started:.1f} s)")
        except Exception:
            failed += 1
            print(f"FAIL {test.__name__} ({time.time() - started:.1f} s)")
            traceback.print_exc()
            stem = os.path.join(ARTIFACTS, test.__name__)
            try:
                driver.save_screenshot(stem + ".png")
                with open(stem + ".html", "w") as file:
                    file.write(driver.page_source)
                with open(stem + ".console.log", "w") as file:
                    for entry in driver.get_log("browser"):
                        file.write(f"{entry['level']} {entry['message']}\n")
            except Exception:
                traceback.print_exc()
            print(f"  artifacts: {stem}.png, .html, .console.log")
            for outlet in network.nodes:
                log = os.path.join(network.directory, f"node-{outlet}.log")
                if os.path.exists(log):
                    shutil.copy(log, f"{stem}.node-{outlet}.log")
        finally:
            driver.quit()
            network.stop()
    print(f"web tests: {len(selected) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
