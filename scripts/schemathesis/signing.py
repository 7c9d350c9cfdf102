"""RFC 9421 request signatures as docs/API.md, "Request signatures", states them: labelled
`sgpos`, covering "@method", "@path", "@query" and, with a body, "content-digest" (RFC
9530, sha-256); parameters created, keyid (the public key, hex), alg "ed25519" and a fresh
nonce; Ed25519. Used by hooks.py and state.py.
"""
import base64
import hashlib
import json
import os
import secrets
import time

import nacl.signing
import requests.auth


def load_key(path):
    with open(path) as handle:
        return nacl.signing.SigningKey(bytes.fromhex(json.load(handle)["seed"]))


class RequestSignature(requests.auth.AuthBase):
    """Adds Content-Digest, Signature-Input and Signature to a prepared request."""

    def __init__(self, key):
        self.key = key
        self.keyid = key.verify_key.encode().hex()

    def __call__(self, request):
        target = request.path_url
        path, mark, query = target.partition("?")
        query = "?" + query if mark else "?"
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        components = ['"@method"', '"@path"', '"@query"']
        lines = [f'"@method": {request.method.upper()}', f'"@path": {path or "/"}', f'"@query": {query}']
        if body:
            digest = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
            request.headers["Content-Digest"] = digest
            components.append('"content-digest"')
            lines.append(f'"content-digest": {digest}')
        params = (f'({" ".join(components)});created={int(time.time())};keyid="{self.keyid}"'
                  f';alg="ed25519";nonce="{secrets.token_hex(16)}"')
        base = "\n".join(lines + [f'"@signature-params": {params}'])
        signature = self.key.sign(base.encode()).signature
        request.headers["Signature-Input"] = f"sgpos={params}"
        request.headers["Signature"] = "sgpos=:" + base64.b64encode(signature).decode() + ":"
        return request
