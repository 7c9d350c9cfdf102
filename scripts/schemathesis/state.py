"""What scripts/schemathesis/run reads from the node under test, signed as hooks.py signs.

  state.py health            exits 0 once /v1/health answers
  state.py identifiers       prints shell assignments of real ids for the lookups
  state.py heads             prints the node's heads (GET /v1/heads), canonical JSON
  state.py profiles N LOG    prints how many member-directory files N become after the
                             acknowledged PUT/DELETE …/profile calls that hooks.py logged
"""
import json
import os
import sys

import requests

sys.path.insert(0, os.path.dirname(__file__))
from signing import RequestSignature, load_key  # noqa: E402

BASE = os.environ.get("SGPOS_BASE_URL", "")


def get(path):
    auth = RequestSignature(load_key(os.environ["SGPOS_SIGNER_KEY"]))
    response = requests.get(BASE + path, auth=auth, timeout=10)
    response.raise_for_status()
    return response.json()


def identifiers():
    print(f"export SGPOS_TX_ID={get('/v1/outlets/1/blocks/2')['transactionIds'][0]}")


def profiles(before, log):
    """Files before, changed by the acknowledged writes: an id whose first acknowledged
    write was a PUT did not exist (generated ids do not meet the demo's), one whose first
    was a DELETE did; each ends as its last acknowledged write left it."""
    first, last = {}, {}
    for line in open(log):
        method, status, member = line.rstrip("\n").split(" ", 2)
        first.setdefault(member, method)
        last[member] = method
    print(before + sum((last[m] == "PUT") - (first[m] == "DELETE") for m in last))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "health":
        requests.get(BASE + "/v1/health", timeout=2).raise_for_status()
    elif command == "identifiers":
        identifiers()
    elif command == "heads":
        print(json.dumps(get("/v1/heads"), sort_keys=True))
    elif command == "profiles":
        profiles(int(sys.argv[2]), sys.argv[3])
