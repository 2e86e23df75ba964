"""An independent SigV4 oracle: builds each request from its RAW parts with botocore's own
quoting, signs it with botocore's SigV4Auth / S3SigV4Auth, and prints what botocore made.

Nothing here sees our percent-encoding: the Swift test sends the unencoded S3 bucket and key,
the unencoded path segments and the unencoded query parameters, and compares botocore's URL,
canonical request and Authorization header with what our S3Client / AWSPercentEncoding and
SigV4Signer produced. (If both sides encoded with the same code, an encoding error would
cancel out.)

* S3 keys go through botocore's REST serializer (`_render_uri_template` with the greedy
  `{Key+}` label, i.e. `percent_encode(key, safe='/~')`), as boto3's PutObject does;
* other paths: each raw segment `percent_encode`d, then SigV4Auth normalises and re-encodes
  the path itself;
* query parameters are handed to AWSRequest as raw `params`: SigV4Auth canonicalises them
  with its own quoting (`_canonical_query_string_params`); the wire query string is built
  with `percent_encode` in the given order (a parameter without value is a bare key).

Input: a JSON list of requests (see SigV4BotocoreTests.swift). Output (stdout): a JSON list of
{"url", "authorization", "canonicalRequest", "amzDate", "contentSha256"} in the same order.
The clock is pinned per request by patching botocore.auth.get_current_datetime.
"""
import base64
import datetime
import json
import sys
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.serialize import RestXMLSerializer
from botocore.utils import percent_encode


def capturing(base):
    class Capturing(base):
        def canonical_request(self, request):
            self.captured = super().canonical_request(request)
            return self.captured
    return Capturing


def base_url(endpoint: str, bucket_host: str | None) -> str:
    """scheme://host[:port] of the endpoint (host lower-cased, port kept as written), with the
    bucket as the first host label for virtual-hosted S3 addressing."""
    parts = urlsplit(endpoint)
    host = parts.hostname
    if bucket_host:
        host = f"{bucket_host}.{host}"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port is not None else "")


def wire_path(spec) -> str:
    if spec["flavor"] == "s3":
        serializer = RestXMLSerializer()
        if spec["virtualHosted"]:
            return serializer._render_uri_template("/{Key+}", {"Key": spec["key"]})
        return serializer._render_uri_template("/{Bucket}/{Key+}", {"Bucket": spec["bucket"], "Key": spec["key"]})
    path = "/" + "/".join(percent_encode(segment) for segment in spec["segments"])
    if spec["trailingSlash"] and spec["segments"]:
        path += "/"
    return path


def sign(spec):
    creds = Credentials(spec["accessKeyId"], spec["secretAccessKey"], spec.get("sessionToken"))
    cls = capturing(S3SigV4Auth if spec["flavor"] == "s3" else SigV4Auth)
    signer = cls(creds, spec["service"], spec["region"])
    bucket_host = spec["bucket"] if spec["flavor"] == "s3" and spec["virtualHosted"] else None
    url = base_url(spec["endpoint"], bucket_host) + wire_path(spec)
    query = spec["query"]
    wire_query = "&".join(percent_encode(k) if v is None else f"{percent_encode(k)}={percent_encode(v)}" for k, v in query)
    params = [(k, "" if v is None else v) for k, v in query]
    request = AWSRequest(method=spec["method"], url=url, data=base64.b64decode(spec["body"]), params=params)
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
        "url": url + ("?" + wire_query if wire_query else ""),
        "authorization": request.headers["Authorization"],
        "canonicalRequest": signer.captured,
        "amzDate": request.headers["X-Amz-Date"],
        "contentSha256": request.headers.get("X-Amz-Content-SHA256"),
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        specs = json.load(f)
    json.dump([sign(s) for s in specs], sys.stdout)


if __name__ == "__main__":
    main()
