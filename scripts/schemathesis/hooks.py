"""Schemathesis hooks for SGPOS Ledger (loaded through SCHEMATHESIS_HOOKS by run).

Every generated request is signed (signing.py) by the key in $SGPOS_SIGNER_KEY, an admin:
it may call every route, so a refusal is about the request, not the caller. The signature
is computed over the bytes requests actually sends, after schemathesis has serialised the
body, so a schema-valid request is never refused for its signature.

Each acknowledged member-profile write (PUT 200, DELETE 204) is logged to
$SGPOS_PROFILE_LOG, so that run can check the member directory changed by those alone.
"""
import os

import schemathesis

from signing import RequestSignature, load_key

schemathesis.auth.set_from_requests(RequestSignature(load_key(os.environ["SGPOS_SIGNER_KEY"])))


@schemathesis.hook
def after_call(context, case, response):
    if case.path.endswith("/profile") and (case.method.upper(), response.status_code) in (("PUT", 200), ("DELETE", 204)):
        with open(os.environ["SGPOS_PROFILE_LOG"], "a") as log:
            log.write(f"{case.method.upper()} {response.status_code} {case.path_parameters['id']}\n")
