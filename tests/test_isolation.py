"""One user never sees or touches another's printers, channels, events or deliveries; and no API
response carries a printer token, a token hash, a webhook secret or another user's data."""

from __future__ import annotations

import hashlib

import pytest
from rest_framework.test import APIClient

from notifications.models import Delivery, NotificationSetting
from printers.models import Printer, PrinterEvent
from tests.support.queue import drain

pytestmark = pytest.mark.django_db(transaction=True)

A_SECRET = "alice-webhook-signing-secret-91c2"
B_SECRET = "bob-webhook-signing-secret-5d7a"
A_MARKERS = [
    "alice-printer-marker",
    "alice-file-marker.gcode",
    "alice-label-marker",
    "alice-path-marker",
    "alice-query-key",
    "alice@",
]
B_MARKERS = [marker.replace("alice", "bob") for marker in A_MARKERS]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _setup(client, who: str, receiver, post_event, secret: str) -> dict:
    """Through the API: a printer, a webhook channel with a secret, one event delivered, one test
    message. Returns the ids and the secrets."""
    resp = client.post("/api/v1/printers/", {"name": f"{who}-printer-marker"}, format="json")
    assert resp.status_code == 201
    printer_id, token = resp.json()["id"], resp.json()["auth_token"]
    url = f"{receiver.url}/{who}-path-marker?key={who}-query-key"
    resp = client.post(
        "/api/v1/notification_settings/",
        {
            "name": "webhook",
            "label": f"{who}-label-marker",
            "config": {"custom_webhook_URL": url, "secret": secret},
            "printers": [printer_id],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    channel_id = resp.json()["id"]
    event = {"type": "PrintDone", "print": {"job_key": f"{who}-job", "filename": f"{who}-file-marker.gcode"}}
    resp = post_event(token, event)
    assert resp.status_code == 202
    event_id = resp.json()["id"]
    drain()
    assert client.post(f"/api/v1/notification_settings/{channel_id}/send_test_message/").status_code == 200
    deliveries = list(Delivery.objects.filter(channel_id=channel_id).values_list("id", flat=True))
    assert len(deliveries) == 2
    return {
        "printer": printer_id,
        "token": token,
        "channel": channel_id,
        "event": event_id,
        "deliveries": deliveries,
        "secret": secret,
    }


@pytest.fixture
def world(api, other_api, user, other_user, receiver, post_event):
    assert (user.email, other_user.email) == ("alice@example.com", "bob@example.com")  # the "alice@" markers
    a = _setup(api, "alice", receiver, post_event, A_SECRET)
    b = _setup(other_api, "bob", receiver, post_event, B_SECRET)
    return a, b


def _bodies(client, data: dict) -> dict[str, str]:
    """Every read endpoint, as this client sees it, for its own objects and the other user's."""
    urls = [
        "/api/v1/me/",
        "/api/v1/printers/",
        "/api/v1/events/",
        "/api/v1/notification_settings/",
        "/api/v1/notification_settings/available_plugins/",
        "/api/v1/deliveries/",
        f"/api/v1/printers/{data['printer']}/",
        f"/api/v1/events/{data['event']}/",
        f"/api/v1/notification_settings/{data['channel']}/",
        *(f"/api/v1/deliveries/{d}/" for d in data["deliveries"]),
        f"/api/v1/events/?printer={data['printer']}",
        f"/api/v1/deliveries/?channel={data['channel']}",
        f"/api/v1/deliveries/?event={data['event']}",
    ]
    out = {}
    for url in urls:
        resp = client.get(url)
        assert resp.status_code in (200, 404), (url, resp.status_code)
        out[url] = resp.content.decode()
    return out


# --- 404 for the other user's objects ---------------------------------------------------------


def test_other_user_gets_404_for_printers(world, other_api, post_event):
    a, _ = world
    url = f"/api/v1/printers/{a['printer']}/"

    assert other_api.get(url).status_code == 404
    assert other_api.patch(url, {"name": "pwned"}, format="json").status_code == 404
    assert other_api.put(url, {"name": "pwned"}, format="json").status_code == 404
    assert other_api.delete(url).status_code == 404
    assert other_api.post(f"{url}regenerate_token/").status_code == 404

    printer = Printer.objects.get(id=a["printer"])
    assert printer.name == "alice-printer-marker"
    assert printer.token_hash == _sha(a["token"])
    assert post_event(a["token"], {"type": "PrintStarted"}).status_code == 202


def test_other_user_gets_404_for_channels(world, other_api, receiver):
    a, _ = world
    url = f"/api/v1/notification_settings/{a['channel']}/"
    requests_before = len(receiver.requests)

    assert other_api.get(url).status_code == 404
    assert other_api.patch(url, {"enabled": False}, format="json").status_code == 404
    body = {"name": "webhook", "config": {"custom_webhook_URL": "https://x.org/"}}
    assert other_api.put(url, body, format="json").status_code == 404
    assert other_api.delete(url).status_code == 404
    assert other_api.post(f"{url}send_test_message/").status_code == 404

    channel = NotificationSetting.objects.get(id=a["channel"])
    assert channel.enabled and channel.config["secret"] == A_SECRET
    assert len(receiver.requests) == requests_before
    assert Delivery.objects.filter(channel_id=a["channel"]).count() == 2


def test_other_user_gets_404_for_deliveries_and_events(world, other_api):
    a, _ = world

    for delivery_id in a["deliveries"]:
        assert other_api.get(f"/api/v1/deliveries/{delivery_id}/").status_code == 404
    assert other_api.get(f"/api/v1/events/{a['event']}/").status_code == 404


def test_lists_show_only_one_s_own_objects(world, api, other_api):
    a, b = world

    for client, mine in ((api, a), (other_api, b)):
        assert [p["id"] for p in client.get("/api/v1/printers/").json()] == [mine["printer"]]
        assert [c["id"] for c in client.get("/api/v1/notification_settings/").json()] == [mine["channel"]]
        assert [e["id"] for e in client.get("/api/v1/events/").json()["results"]] == [mine["event"]]
        listed = client.get("/api/v1/deliveries/").json()
        assert listed["count"] == 2
        assert sorted(d["id"] for d in listed["results"]) == sorted(mine["deliveries"])


def test_filters_by_the_other_user_s_ids_return_nothing(world, other_api):
    a, _ = world

    assert other_api.get("/api/v1/deliveries/", {"event": a["event"]}).json()["results"] == []
    assert other_api.get("/api/v1/deliveries/", {"channel": a["channel"]}).json()["results"] == []
    assert other_api.get("/api/v1/events/", {"printer": a["printer"]}).json()["results"] == []


def test_filtering_by_another_user_s_id_says_no_more_than_a_missing_id(world, other_api):
    a, _ = world
    missing = 10**9

    for url, param, value in [
        ("/api/v1/events/", "printer", a["printer"]),
        ("/api/v1/deliveries/", "event", a["event"]),
        ("/api/v1/deliveries/", "channel", a["channel"]),
    ]:
        theirs = other_api.get(url, {param: value})
        nothing = other_api.get(url, {param: missing})
        assert (theirs.status_code, theirs.json()) == (nothing.status_code, nothing.json())


def test_a_channel_cannot_be_pointed_at_another_user_s_printer(world, other_api):
    a, b = world

    resp = other_api.patch(
        f"/api/v1/notification_settings/{b['channel']}/", {"printers": [b["printer"], a["printer"]]}, format="json"
    )

    assert resp.status_code == 400 and "printers" in resp.json()
    assert list(NotificationSetting.objects.get(id=b["channel"]).printers.values_list("id", flat=True)) == [
        b["printer"]
    ]


def test_a_printer_token_only_reports_events_for_its_own_printer(world, post_event):
    a, b = world

    resp = post_event(b["token"], {"type": "PrintStarted", "print": {"job_key": "x"}})

    assert resp.status_code == 202
    assert PrinterEvent.objects.get(id=resp.json()["id"]).printer_id == b["printer"]


# --- Nothing leaks in any response ------------------------------------------------------------


def test_no_response_carries_tokens_hashes_secrets_or_the_other_user_s_data(world, api, other_api, user, other_user):
    a, b = world
    api_token = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "pw-alice-123"}).json()
    forbidden_everywhere = [
        a["token"],
        b["token"],
        _sha(a["token"]),
        _sha(b["token"]),
        api_token["token"],
        _sha(api_token["token"]),
        A_SECRET,
        B_SECRET,
    ]

    for client, mine, theirs, their_markers, me in (
        (api, a, b, B_MARKERS, user),
        (other_api, b, a, A_MARKERS, other_user),
    ):
        bodies = {**_bodies(client, mine), **{f"theirs:{k}": v for k, v in _bodies(client, theirs).items()}}
        for url, text in bodies.items():
            for value in forbidden_everywhere:
                assert value not in text, (url, value)
            for marker in their_markers:
                assert marker not in text, (url, marker)
        # and the user's own data is really there, so the walk above looked at something
        assert f"{'alice' if me == user else 'bob'}-label-marker" in bodies["/api/v1/notification_settings/"]
        assert f"{'alice' if me == user else 'bob'}-file-marker.gcode" in bodies["/api/v1/events/"]
        assert len(client.get("/api/v1/deliveries/").json()["results"]) == 2


def test_other_user_s_requests_leave_the_owner_s_data_untouched(world, api, other_api):
    a, _ = world
    before = {
        "printer": api.get(f"/api/v1/printers/{a['printer']}/").json(),
        "channel": api.get(f"/api/v1/notification_settings/{a['channel']}/").json(),
        "deliveries": api.get("/api/v1/deliveries/").json(),
    }

    other_api.patch(f"/api/v1/printers/{a['printer']}/", {"name": "x"}, format="json")
    other_api.delete(f"/api/v1/printers/{a['printer']}/")
    other_api.patch(f"/api/v1/notification_settings/{a['channel']}/", {"label": "x"}, format="json")
    other_api.delete(f"/api/v1/notification_settings/{a['channel']}/")

    assert api.get(f"/api/v1/printers/{a['printer']}/").json() == before["printer"]
    assert api.get(f"/api/v1/notification_settings/{a['channel']}/").json() == before["channel"]
    assert api.get("/api/v1/deliveries/").json() == before["deliveries"]


def test_the_delivery_log_never_shows_a_secret_or_the_query_of_a_failing_url(api, user, printer, receiver, post_event):
    _, token = printer
    url = receiver.url
    receiver.close()  # nothing listens there any more: every attempt fails
    resp = api.post(
        "/api/v1/notification_settings/",
        {"name": "webhook", "config": {"custom_webhook_URL": f"{url}/p?key=query-key-7c1d", "secret": A_SECRET}},
        format="json",
    )
    channel_id = resp.json()["id"]
    assert post_event(token, {"type": "PrintDone", "print": {"job_key": "j"}}).status_code == 202
    drain()
    assert api.post(f"/api/v1/notification_settings/{channel_id}/send_test_message/").status_code == 502

    log = api.get("/api/v1/deliveries/")

    assert [d["status"] for d in log.json()["results"]] == ["failed", "failed"]
    assert all(d["last_error"] for d in log.json()["results"])
    assert "query-key-7c1d" not in log.content.decode() and A_SECRET not in log.content.decode()
