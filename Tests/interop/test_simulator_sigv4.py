"""--require-sigv4: botocore's signer (the reference) against the simulator's verifier."""
import http.client
import json

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from test_simulator_boto3 import LOG_GROUP, T0, Simulator, wait


@pytest.fixture(scope="module")
def sim():
    s = Simulator("--require-sigv4", "--latency-ms", "0-0", "--query-base-ms", "10", "--describe-log-groups-rate", "0")
    yield s
    s.stop()


def client(sim, key="test", secret="test", region="eu-central-1"):
    return boto3.client("logs", endpoint_url=sim.endpoint, region_name=region, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=botocore.config.Config(retries={"total_max_attempts": 1}))


def test_signed_requests_pass(sim):
    c = client(sim)
    assert c.describe_log_groups(logGroupNamePrefix="/aws/")["logGroups"][0]["logGroupName"] == LOG_GROUP
    q = c.start_query(logGroupName=LOG_GROUP, startTime=T0, endTime=T0 + 2, queryString="fields @message | limit 3")
    r, _ = wait(c, q["queryId"])
    assert r["status"] == "Complete" and len(r["results"]) == 3
    # A session token header is signed too and must not break verification.
    c2 = boto3.client("logs", endpoint_url=sim.endpoint, region_name="us-west-2", aws_access_key_id="test",
                      aws_secret_access_key="test", aws_session_token="tok")
    assert c2.describe_log_groups()["logGroups"]


@pytest.mark.parametrize("key,secret,code", [
    ("test", "wrong", "InvalidSignatureException"),
    ("AKIDOTHER", "test", "UnrecognizedClientException"),
])
def test_bad_credentials_rejected(sim, key, secret, code):
    with pytest.raises(ClientError) as info:
        client(sim, key, secret).describe_log_groups()
    assert info.value.response["Error"]["Code"] == code
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_unsigned_request_rejected(sim):
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=10)
    conn.request("POST", "/", body="{}", headers={"X-Amz-Target": "Logs_20140328.DescribeLogGroups",
                                                  "Content-Type": "application/x-amz-json-1.1"})
    resp = conn.getresponse()
    body = json.loads(resp.read())
    assert resp.status == 403 and body["__type"] == "MissingAuthenticationTokenException"
