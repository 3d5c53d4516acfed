#!/usr/bin/env python3
"""Signs or verifies a webhook body (stdin) with a provider's own library.

    provider.py sign LIBRARY SECRET [--timestamp UNIX] [--id MSG_ID]
        prints the headers the library produces, as one JSON object
    provider.py verify LIBRARY SECRET HEADERS_JSON
        prints "valid" (exit 0) or "invalid: <the library's reason>" (exit 1)

LIBRARY is standardwebhooks, svix, stripe, slack_sdk, or shopify (Shopify's
documented check: base64 HMAC-SHA256 of the raw body, keyed with the secret's
UTF-8 bytes, compared in constant time; Shopify ships no Python verifier).
"""

import argparse
import base64
import hashlib
import hmac
import json
import sys
import time
from datetime import datetime, timezone


def sign(library, secret, body, timestamp, msg_id):
    if library in ("standardwebhooks", "svix"):
        if library == "svix":
            from svix.webhooks import Webhook

            names = ("svix-id", "svix-timestamp", "svix-signature")
        else:
            from standardwebhooks.webhooks import Webhook

            names = ("webhook-id", "webhook-timestamp", "webhook-signature")
        at = datetime.fromtimestamp(timestamp, tz=timezone.utc)
        signature = Webhook(secret).sign(msg_id, at, body.decode())
        return dict(zip(names, (msg_id, str(timestamp), signature)))
    if library == "stripe":
        from stripe import WebhookSignature

        header = WebhookSignature.generate_signature_header(body.decode(), secret, timestamp=timestamp)
        return {"Stripe-Signature": header}
    if library == "slack_sdk":
        from slack_sdk.signature import SignatureVerifier

        signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
        return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}
    if library == "shopify":
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        return {"X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode()}
    raise SystemExit(f"unknown library {library}")


def verify(library, secret, body, headers):
    """Returns None when valid, else the library's reason."""
    lower = {k.lower(): v for k, v in headers.items()}
    if library in ("standardwebhooks", "svix"):
        if library == "svix":
            from svix.webhooks import Webhook, WebhookVerificationError
        else:
            from standardwebhooks.webhooks import Webhook, WebhookVerificationError
        try:
            Webhook(secret).verify(body, headers)
            return None
        except WebhookVerificationError as e:
            return str(e)
    if library == "stripe":
        import stripe

        try:
            stripe.WebhookSignature.verify_header(body, lower.get("stripe-signature"), secret, tolerance=300)
            return None
        except stripe.SignatureVerificationError as e:
            return str(e)
    if library == "slack_sdk":
        from slack_sdk.signature import SignatureVerifier

        return None if SignatureVerifier(secret).is_valid_request(body, headers) else "is_valid_request is False"
    if library == "shopify":
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        given = lower.get("x-shopify-hmac-sha256", "")
        ok = hmac.compare_digest(base64.b64encode(digest).decode(), given)
        return None if ok else "HMAC mismatch"
    raise SystemExit(f"unknown library {library}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["sign", "verify"])
    parser.add_argument("library")
    parser.add_argument("secret")
    parser.add_argument("headers", nargs="?")
    parser.add_argument("--timestamp", type=int, default=None)
    parser.add_argument("--id", default="msg_2Lk3mN4oP5qR6sT7uV8wX9yZ0a")
    args = parser.parse_args()
    body = sys.stdin.buffer.read()
    if args.action == "sign":
        timestamp = int(time.time()) if args.timestamp is None else args.timestamp
        print(json.dumps(sign(args.library, args.secret, body, timestamp, args.id)))
        return 0
    reason = verify(args.library, args.secret, body, json.loads(args.headers))
    if reason is None:
        print("valid")
        return 0
    print(f"invalid: {reason}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
