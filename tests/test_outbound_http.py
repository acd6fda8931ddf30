"""The one outbound HTTP wrapper: timeouts, size limits, keep-alive, error classification."""

from __future__ import annotations

import email.utils
import time

import pytest

from notifications import http
from notifications.errors import PermanentError, TransientError
from tests.support.receiver import Reply


def test_json_post_and_answer(receiver):
    receiver.reply(Reply(201, b'{"ok": true}', {"Content-Type": "application/json"}))
    resp = http.post_json(receiver.url, {"a": "é"})
    assert resp.status == 201 and resp.json() == {"ok": True}
    (got,) = receiver.requests
    assert got.json() == {"a": "é"} and got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"].startswith("Printbell/")


def test_connections_are_reused(receiver):
    for _ in range(3):
        http.post_json(receiver.url, {})
    assert len({r.peer for r in receiver.requests}) == 1


def test_multipart_upload(receiver):
    http.request("POST", receiver.url, fields={"caption": "hi", "photo": ("s.jpg", b"\xff\xd8jpeg", "image/jpeg")})
    (got,) = receiver.requests
    assert got.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="caption"' in got.body and b"\xff\xd8jpeg" in got.body and b'filename="s.jpg"' in got.body


def test_read_timeout_is_transient_and_bounded(receiver):
    receiver.reply(Reply(200, delay=3))
    start = time.monotonic()
    with pytest.raises(TransientError, match=r"No answer from http://127\.0\.0\.1:\d+ within 0\.3 s"):
        http.get(receiver.url, timeout=0.3)
    assert time.monotonic() - start < 2


def test_response_body_is_capped(receiver):
    receiver.reply(Reply(200, b"x" * 5000))
    resp = http.get(receiver.url, max_response_bytes=1000)
    assert resp.truncated and len(resp.body) == 1000
    receiver.reply(Reply(200, b"y" * 10))
    assert http.get(receiver.url).body == b"y" * 10  # the pool still works afterwards


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_5xx_and_429_are_transient(receiver, status):
    receiver.reply(Reply(status, b"try later"))
    with pytest.raises(TransientError) as err:
        http.get(receiver.url)
    assert err.value.status == status and "try later" in str(err.value)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_other_4xx_are_permanent(receiver, status):
    receiver.reply(Reply(status, b"nope"))
    with pytest.raises(PermanentError) as err:
        http.get(receiver.url)
    assert err.value.status == status


def test_retry_after_seconds_and_date(receiver):
    receiver.reply(Reply(429, headers={"Retry-After": "7"}))
    with pytest.raises(TransientError) as err:
        http.get(receiver.url)
    assert err.value.retry_after == 7.0
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    receiver.reply(Reply(503, headers={"Retry-After": when}))
    with pytest.raises(TransientError) as err:
        http.get(receiver.url)
    assert 25 <= err.value.retry_after <= 31


@pytest.mark.parametrize("value", [None, "", "soon", "-5"])
def test_retry_after_garbage(value):
    assert http.parse_retry_after(value) in (None, 0.0)


def test_errors_name_the_origin_never_the_path_or_query():
    with pytest.raises(TransientError) as err:
        http.get("http://user:pw@127.0.0.1:9/bot123:TOKEN/send?api_key=abc")
    text = str(err.value)
    assert "http://127.0.0.1:9" in text
    assert "TOKEN" not in text and "abc" not in text and "pw" not in text


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "http:///nohost", "javascript:x"])
def test_only_http_urls(url):
    with pytest.raises(PermanentError):
        http.get(url)


def test_redirects_are_not_followed(receiver):
    receiver.reply(Reply(302, headers={"Location": "http://127.0.0.1:9/elsewhere"}))
    assert http.get(receiver.url).status == 302
