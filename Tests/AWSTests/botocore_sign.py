"""Signs requests described in a JSON file with botocore's SigV4Auth / S3SigV4Auth.

Input: a JSON list of requests (see SigV4BotocoreTests.swift). Output (stdout): a JSON list of
{"authorization", "canonicalRequest", "amzDate", "contentSha256"} in the same order.
The clock is pinned per request by patching botocore.auth.get_current_datetime.
"""
import base64
import datetime
import json
import sys
from unittest import mock

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials


def capturing(base):
    class Capturing(base):
        def canonical_request(self, request):
            self.captured = super().canonical_request(request)
            return self.captured
    return Capturing


def sign(spec):
    creds = Credentials(spec["accessKeyId"], spec["secretAccessKey"], spec.get("sessionToken"))
    cls = capturing(S3SigV4Auth if spec["flavor"] == "s3" else SigV4Auth)
    signer = cls(creds, spec["service"], spec["region"])
    request = AWSRequest(method=spec["method"], url=spec["url"], data=base64.b64decode(spec["body"]))
    for name, value in spec["headers"]:
        request.headers[name] = value  # HTTPMessage appends, so repeated names survive
    unsigned = spec["payload"] == "unsigned"
    if spec["flavor"] == "s3":
        request.context["client_config"] = Config(s3={"payload_signing_enabled": not unsigned})
    else:
        request.context["payload_signing_enabled"] = not unsigned
    now = datetime.datetime.fromtimestamp(spec["date"], datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", lambda *a, **k: now):
        signer.add_auth(request)
    return {
        "authorization": request.headers["Authorization"],
        "canonicalRequest": signer.captured,
        "amzDate": request.headers["X-Amz-Date"],
        "contentSha256": request.headers.get("X-Amz-Content-SHA256"),
    }


def main():
    with open(sys.argv[1]) as f:
        specs = json.load(f)
    json.dump([sign(s) for s in specs], sys.stdout)


if __name__ == "__main__":
    main()
