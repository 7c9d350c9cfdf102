"""Browser tests of the office screens added after web_tests.py's (run by web_tests.main):
the stock page (deliveries, adjustments, transfers between two nodes), the member look-up,
and the promotions page (rule check, deployment by an admin, refused to an operator)."""
import json
import os
import tempfile
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from web_tests import pair_office, sgpos, signed_get, visible, wait


def signed_json(driver, method, target, body=None):
    """`method target` signed by the page's office key (the page's own modules), body sent
    as JSON: {status, text}."""
    return driver.execute_async_script("""
        const [method, target, body, done] = arguments;
        Promise.all([import("/js/keys.js"), import("/js/signed-fetch.js")])
          .then(([keys, signed]) => keys.keyPair("office").then((pair) => signed.signedFetch(pair, method, target, body ?? undefined)))
          .then((response) => response.text().then((text) => done({ status: response.status, text })))
          .catch((error) => done({ status: 0, text: String(error) }));""", method, target, body)


def get_json(driver, target):
    answer = signed_get(driver, target)
    assert answer["status"] == 200, f"GET {target}: {answer}"
    return json.loads(answer["text"])


def wait_for_peers(network):
    deadline = time.time() + 30
    while json.load(urllib.request.urlopen(network.url(1) + "/v1/health", timeout=2))["peersConnected"] < 1:
        assert time.time() < deadline, "node 1 did not connect to node 2"
        time.sleep(0.2)


def pair_page(driver, network, outlet, path, section, role, principal):
    """Opens `path` of node `outlet` (its own origin, so its own office key), registers the
    key shown with the admin's at that node as `role`, and waits for `section`."""
    base = network.url(outlet)
    driver.get(base + path)
    key = visible(driver, "public-key").text
    assert len(key) == 64 and key in driver.find_element(By.ID, "pairing-command").text
    sgpos("keys", "register", "--node", base, "--key", os.path.join(network.demo, "keys", "admin-hq-admin.key"),
          "--public-key", key, "--role", role, "--principal", principal)
    visible(driver, section, 20)
    assert principal in driver.find_element(By.ID, "who").text


def on_hand(driver, sku):
    """The on-hand figure the stock page shows for `sku` (None when it has no row)."""
    rows = driver.find_elements(By.CSS_SELECTOR, f"#stock-table tr[data-sku='{sku}']")
    if not rows:
        return None
    figure = rows[0].get_attribute("data-on-hand")
    cell = rows[0].find_element(By.CSS_SELECTOR, "td.on-hand").text.split()[0]
    assert figure == cell, (figure, cell)
    return int(figure)


def submit(driver, button_id):
    """Clicks `button_id` once the last commit's status is cleared (so a stale answer is never read)."""
    driver.execute_script("const s = document.getElementById('commit-status'); s.removeAttribute('data-state'); s.removeAttribute('data-kind');")
    driver.find_element(By.ID, button_id).click()


def committed(driver, kind, seconds=15):
    """Waits until #commit-status says a `kind` transaction was committed; returns its block height.
    A refusal fails at once with the node's message."""
    def settled(d):
        status = d.find_element(By.ID, "commit-status")
        state = status.get_attribute("data-state")
        if status.get_attribute("data-kind") != kind or state in ("sending", "unreachable", None):
            return False
        return status
    status = wait(driver, settled, seconds)
    assert status.get_attribute("data-state") == "committed", status.text
    return int(status.get_attribute("data-height"))


def fill(driver, element_id, text):
    box = driver.find_element(By.ID, element_id)
    box.clear()
    box.send_keys(text)


def node_stock(driver, outlet, sku):
    report = get_json(driver, f"/v1/reports/stock?outlet={outlet}")
    return next((item["onHand"] for item in report["items"] if item["outletId"] == outlet and item["sku"] == sku), 0)


def test_office_stock(driver, network):
    """Stock on two nodes: an operator of outlet 1 receives a delivery (on hand rises by
    exactly its quantity), writes one unit off as damaged, sends a transfer to outlet 2; an
    operator of outlet 2 on node 2 sees it in transit (replicated) and receives it (outlet
    2's on hand rises by its quantity). The member look-up on node 1 shows the ledger's
    points and the personal data masked as the node gives it to an operator."""
    network.start(1)
    network.start(2)
    wait_for_peers(network)
    base = network.url(1)
    pair_office(driver, network, base, "operator", "manager-web-1")
    driver.get(base + "/office/stock.html")
    visible(driver, "stock-page", 20)
    assert driver.find_element(By.ID, "stock-outlet").text == "1"
    wait(driver, lambda d: on_hand(d, "RICE-5KG") is not None, 15)
    before = on_hand(driver, "RICE-5KG")
    assert before == node_stock(driver, 1, "RICE-5KG"), "the page shows the stock report's figure"
    rows = len(driver.find_elements(By.CSS_SELECTOR, "#stock-table tbody tr"))
    assert rows >= 10, rows

    # The filter: only matching rows.
    fill(driver, "stock-filter", "rice")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#stock-table tbody tr")) < rows)
    shown = [row.get_attribute("data-sku") for row in driver.find_elements(By.CSS_SELECTOR, "#stock-table tbody tr")]
    assert "RICE-5KG" in shown and all("RICE" in sku for sku in shown), shown
    driver.find_element(By.ID, "stock-filter").clear()
    driver.execute_script("document.getElementById('stock-filter').dispatchEvent(new Event('input'))")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#stock-table tbody tr")) == rows)

    # A delivery of 7: on hand rises by exactly 7.
    fill(driver, "receive-reference", "DO-WEB-0001")
    fill(driver, "receive-sku-1", "RICE-5KG")
    fill(driver, "receive-qty-1", "7")
    submit(driver, "receive-submit")
    height = committed(driver, "stock-receive")
    assert height > 0
    wait(driver, lambda d: on_hand(d, "RICE-5KG") == before + 7, 15)
    assert node_stock(driver, 1, "RICE-5KG") == before + 7

    # One unit written off as damaged, signed while the node cannot be reached (its submit
    # blocked in the browser): the signed bytes are kept, survive a reload of the page, and
    # are delivered once the node is reachable — one adjustment, not two.
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/v1/transactions"]})
    fill(driver, "adjust-sku", "RICE-5KG")
    fill(driver, "adjust-delta", "-1")
    Select(driver.find_element(By.ID, "adjust-reason")).select_by_value("damaged")
    fill(driver, "adjust-note", "torn bag")
    submit(driver, "adjust-submit")
    unreachable = lambda d: d.find_element(By.ID, "commit-status").get_attribute("data-state") == "unreachable"
    wait(driver, unreachable, 15)
    assert "same bytes" in driver.find_element(By.ID, "commit-status").text
    assert "unreachable" in driver.find_element(By.ID, "connection").text
    kept = driver.find_element(By.ID, "commit-status").get_attribute("data-transaction")
    driver.refresh()
    visible(driver, "stock-page", 20)
    wait(driver, unreachable, 15)
    assert driver.find_element(By.ID, "commit-status").get_attribute("data-transaction") == kept, "the same signed transaction"
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    committed(driver, "stock-adjust")
    assert driver.find_element(By.ID, "commit-status").get_attribute("data-transaction") == kept
    wait(driver, lambda d: on_hand(d, "RICE-5KG") == before + 6, 15)
    card = get_json(driver, "/v1/reports/movements?sku=RICE-5KG&outlet=1&from=2000-01-01&to=2999-12-31")
    last = card["movements"][-1]
    assert (last["kind"], last["change"], last["by"]) == ("adjustment", -1, "manager-web-1"), last
    assert last["detail"].startswith("damaged"), last
    assert card["closing"] == before + 6, card["closing"]

    # A transfer of 3 to outlet 2: on hand falls by 3, the transfer is in transit.
    known = {row.get_attribute("data-transfer") for row in driver.find_elements(By.CSS_SELECTOR, "#transfers-table tbody tr")}
    Select(driver.find_element(By.ID, "send-to")).select_by_value("2")
    fill(driver, "send-sku-1", "RICE-5KG")
    fill(driver, "send-qty-1", "3")
    submit(driver, "send-submit")
    committed(driver, "transfer-out")
    wait(driver, lambda d: on_hand(d, "RICE-5KG") == before + 3, 15)
    new = wait(driver, lambda d: [row for row in d.find_elements(By.CSS_SELECTOR, "#transfers-table tbody tr")
                                  if row.get_attribute("data-transfer") not in known], 15)
    assert len(new) == 1, [row.text for row in new]
    transfer = new[0].get_attribute("data-transfer")
    assert (new[0].get_attribute("data-direction"), new[0].get_attribute("data-status")) == ("out", "in-transit"), new[0].text
    assert "to outlet 2" in new[0].text and "RICE-5KG × 3" in new[0].text, new[0].text
    assert not new[0].find_elements(By.CSS_SELECTOR, "button.receive"), "the sender does not receive its own transfer"

    # Outlet 2's manager on node 2 (another origin, so another key): the transfer arrives
    # by replication, in transit; "Receive" signs its incoming half; outlet 2's on hand rises by 3.
    pair_page(driver, network, 2, "/office/stock.html", "stock-page", "operator", "manager-web-2")
    assert driver.find_element(By.ID, "stock-outlet").text == "2"
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#stock-table tbody tr"), 15)
    before_2 = on_hand(driver, "RICE-5KG") or 0
    assert before_2 == node_stock(driver, 2, "RICE-5KG")
    row = f"#transfers-table tr[data-transfer='{transfer}']"
    incoming = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"{row}[data-status='in-transit'] button.receive"), 15)[0]
    assert driver.find_element(By.CSS_SELECTOR, row).get_attribute("data-direction") == "in"
    assert "from outlet 1" in driver.find_element(By.CSS_SELECTOR, row).text
    driver.execute_script("const s = document.getElementById('commit-status'); s.removeAttribute('data-state'); s.removeAttribute('data-kind');")
    incoming.click()
    committed(driver, "transfer-in")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"{row}[data-status='matched']"), 15)
    wait(driver, lambda d: on_hand(d, "RICE-5KG") == before_2 + 3, 15)
    assert not driver.find_elements(By.CSS_SELECTOR, f"{row} button.receive")
    assert node_stock(driver, 2, "RICE-5KG") == before_2 + 3

    # Members, back on node 1 as outlet 1's manager: a demo member's points as the ledger has
    # them; the personal data exactly as the node answers this key, and masked for a manager.
    driver.get(base + "/office/members.html")
    visible(driver, "members-page", 20)
    member = "M01-0001"
    clear = {"name": "Tan Ah Kow", "phone": "+65 9123 4567", "email": "ahkow@example.sg"}
    stored = signed_json(driver, "PUT", f"/v1/members/{member}/profile",
                         {**clear, "purpose": "loyalty programme", "consentAtMs": int(time.time() * 1000) - 60000})
    assert stored["status"] == 200, stored
    account = get_json(driver, f"/v1/members/{member}")
    profile = get_json(driver, f"/v1/members/{member}/profile")
    fill(driver, "member-id", "M01-9999\n")
    wait(driver, lambda d: d.find_element(By.ID, "member-status").get_attribute("data-state") == "not-found", 15)
    assert "No such member" in driver.find_element(By.ID, "member-status").text
    assert not driver.find_element(By.ID, "member-result").is_displayed()
    fill(driver, "member-id", member + "\n")
    wait(driver, lambda d: d.find_element(By.ID, "member-result").get_attribute("data-member") == member, 15)
    assert driver.find_element(By.ID, "member-points").text == str(account["points"]), (driver.find_element(By.ID, "member-points").text, account)
    assert account["points"] > 0, account
    assert driver.find_element(By.ID, "member-tier").text == account["tier"]
    assert driver.find_element(By.ID, "member-lifetime-spend").text == f"S${account['lifetimeSpend']}"
    lots = driver.find_elements(By.CSS_SELECTOR, "#lots-table tbody tr")
    assert len(lots) == len(account["lots"]), (len(lots), account["lots"])
    assert driver.find_element(By.ID, "profile-purpose").text == "loyalty programme"
    assert driver.find_element(By.ID, "profile-recordedBy").text == "manager-web-1"
    for field in ("name", "phone", "email"):
        shown = driver.find_element(By.ID, f"profile-{field}").text
        assert shown == profile[field], f"{field}: the page shows {shown!r}, the node answered {profile[field]!r}"
    for field in ("name", "phone", "email"):
        assert profile[field] != clear[field], f"the node answers an operator's GET …/profile with {field} unmasked: {profile[field]!r}"
    page = driver.find_element(By.ID, "members-page").text
    for text in ("Tan Ah Kow", "9123 4567", "91234567", "ahkow@example.sg"):
        assert text not in page, f"{text!r} shown to an operator"


def import_admin_key(driver, network, base):
    """Puts the demo's genesis admin key into this origin's IndexedDB as the back office key.
    An admin is named in the genesis and cannot be registered (register-key registers
    operators, tills and auditors), so an admin's browser holds the admin's own key."""
    with open(os.path.join(network.demo, "keys", "admin-hq-admin.key")) as file:
        key = json.load(file)
    driver.get(base + "/check/")
    answer = driver.execute_async_script("""
        const [seed, publicHex, done] = arguments;
        const bytes = (hex) => Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16));
        const pkcs8 = new Uint8Array([...bytes("302e020100300506032b657004220420"), ...bytes(seed)]);
        Promise.all([
          crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]),
          crypto.subtle.importKey("raw", bytes(publicHex), { name: "Ed25519" }, true, ["verify"]),
          import("/js/keys.js"),
        ]).then(([privateKey, publicKey, keys]) => keys.save("key:office", { privateKey, publicKey })
            .then(() => keys.keyPair("office")))
          .then((pair) => done(pair.publicHex))
          .catch((error) => done("error: " + error));""", key["seed"], key["publicKey"])
    assert answer == key["publicKey"], answer


def rule_text(version):
    return (f'// S$8 off at S$80 or more (web test)\nrule "promo.web-spend80" version {version} {{\n  lang 1\n  priority 450\n'
            '  require basket.subtotal >= S$80.00 else skip\n  emit basket_discount(S$8.00, "SAVE8")\n}\n')


BROKEN_RULE = ('// web test: a syntax error on line 4\nrule "promo.web-spend80" version 1 {\n  lang 1\n'
               '  require basket.subtotal >= S$80.00 els skip\n  emit basket_discount(S$8.00, "SAVE8")\n}\n')


def cli_check(text):
    """`sgpos contract check` of `text`: its one output line (the CLI is the checker's other caller)."""
    with tempfile.NamedTemporaryFile("w", suffix=".rules", delete=False) as file:
        file.write(text)
    try:
        result = sgpos("contract", "check", file.name, check=False)
        return (result.stdout + result.stderr).strip()
    finally:
        os.unlink(file.name)


def paste_rule(driver, text):
    box = driver.find_element(By.ID, "rule-source")
    box.clear()
    box.send_keys(text)
    assert box.get_attribute("value") == text


def check_rule(driver):
    previous = driver.find_element(By.ID, "check-result")
    driver.execute_script("document.getElementById('check-result').removeAttribute('data-verdict')")
    driver.find_element(By.ID, "check-rule").click()
    wait(driver, lambda d: previous.get_attribute("data-verdict") in ("ok", "error"), 15)
    return previous


def test_office_promotions(driver, network):
    """Rules on the promotions page: an admin's browser checks a rule with a syntax error
    (the error's line and column shown, as the CLI checker gives them; Deploy disabled),
    then a valid new rule (OK, its static cost as the CLI gives it) and deploys it (the rule
    appears in the list and in /v1/rules); an operator sees Deploy disabled, with why."""
    network.start(1)
    base = network.url(1)
    import_admin_key(driver, network, base)
    driver.get(base + "/office/promotions.html")
    visible(driver, "promotions-page", 20)
    assert "(admin)" in driver.find_element(By.ID, "who").text
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#rules-table tbody tr") or "No rule" in d.find_element(By.ID, "rules").text, 15)
    deployed = {rule["id"]: rule for rule in get_json(driver, "/v1/rules")["rules"]}
    shown = {row.get_attribute("data-rule"): row.get_attribute("data-version") for row in driver.find_elements(By.CSS_SELECTOR, "#rules-table tbody tr")}
    assert shown == {rule_id: str(rule["version"]) for rule_id, rule in deployed.items()}, (shown, deployed)
    assert "promo.web-spend80" not in shown

    # A syntax error: code 1 at line:column as the checker (the CLI) says; the line pointed at; no Deploy.
    expected = cli_check(BROKEN_RULE)
    assert "error 1 at 4:" in expected, expected
    line_column = expected.split(" at ", 1)[1].split(":")[:2]
    paste_rule(driver, BROKEN_RULE)
    result = check_rule(driver)
    assert result.get_attribute("data-verdict") == "error", result.text
    assert [result.get_attribute("data-line"), result.get_attribute("data-column")] == line_column, (result.text, expected)
    assert result.get_attribute("data-code") == "1"
    assert f"Error 1 at line {line_column[0]}, column {line_column[1]}" in result.text, result.text
    marked = driver.find_element(By.CSS_SELECTOR, "#source-listing .error-line")
    assert marked.get_attribute("id") == "listing-line-4" and "els skip" in marked.text, marked.text
    caret = driver.find_element(By.CSS_SELECTOR, "#source-listing .caret").text
    assert caret.index("^") - caret.index("│") - 2 == int(line_column[1]) - 1, caret
    assert not driver.find_element(By.ID, "deploy-rule").is_enabled()
    assert "does not compile" in driver.find_element(By.ID, "deploy-reason").text
    driver.find_element(By.ID, "go-to-error").click()
    selected = driver.execute_script("const b = document.getElementById('rule-source'); return b.value.slice(b.selectionStart, b.selectionEnd)")
    assert selected == BROKEN_RULE.split("\n")[3], selected

    # A valid new rule: OK with its static cost; Deploy enabled; deployed, it is listed.
    text = rule_text(1)
    expected = cli_check(text)
    assert "OK, static cost ≤ " in expected, expected
    cost = expected.split("static cost ≤ ")[1].split()[0]
    paste_rule(driver, text)
    assert not driver.find_element(By.ID, "deploy-rule").is_enabled(), "Deploy waits for a check"
    result = check_rule(driver)
    assert result.get_attribute("data-verdict") == "ok", result.text
    assert (result.get_attribute("data-rule"), result.get_attribute("data-version")) == ("promo.web-spend80", "1")
    assert result.get_attribute("data-static-cost") == cost and f"static cost {cost} ticks" in result.text, (result.text, expected)
    assert result.get_attribute("data-deployable") == "true", result.text
    deploy = driver.find_element(By.ID, "deploy-rule")
    wait(driver, lambda d: deploy.is_enabled(), 5)
    submit(driver, "deploy-rule")
    committed(driver, "deploy-rule")
    row = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#rules-table tr[data-rule='promo.web-spend80']"), 15)[0]
    assert row.get_attribute("data-version") == "1", row.text
    assert cost in row.text and "450" in row.text, row.text
    rules = {rule["id"]: rule for rule in get_json(driver, "/v1/rules")["rules"]}
    assert rules["promo.web-spend80"]["version"] == 1 and rules["promo.web-spend80"]["source"] == text, rules.get("promo.web-spend80")
    assert str(rules["promo.web-spend80"]["staticCost"]) == cost
    # Checked again after the deployment: version 1 is deployed, so this text is no longer deployable.
    wait(driver, lambda d: d.find_element(By.ID, "check-result").get_attribute("data-deployable") == "false", 15)
    assert not deploy.is_enabled()

    # An operator (another origin, so another key) may check but not deploy, and is told why.
    pair_office(driver, network, base.replace("127.0.0.1", "localhost"), "operator", "office-1")
    driver.get(base.replace("127.0.0.1", "localhost") + "/office/promotions.html")
    visible(driver, "promotions-page", 20)
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#rules-table tr[data-rule='promo.web-spend80']"), 15)
    paste_rule(driver, rule_text(2))
    result = check_rule(driver)
    assert result.get_attribute("data-verdict") == "ok" and result.get_attribute("data-deployable") == "true", result.text
    assert not driver.find_element(By.ID, "deploy-rule").is_enabled()
    reason = driver.find_element(By.ID, "deploy-reason").text
    assert "Only an admin deploys rules" in reason and "operator" in reason, reason


TESTS = [test_office_stock, test_office_promotions]
