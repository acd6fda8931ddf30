"""Notification channels over the API (the seed's /api/v1/notification_settings/): fields and
defaults, validation, printer limits, write-only secrets, available plugins and their env vars,
and the "Test" button against a real local HTTP server."""

from __future__ import annotations

import hashlib
import hmac
import textwrap

import pytest

from notifications.models import Delivery, NotificationSetting
from tests.support.receiver import Reply

pytestmark = pytest.mark.django_db

URL = "/api/v1/notification_settings/"
SEED_DEFAULTS = {
    "notify_on_failure_alert": True,
    "notify_on_print_done": True,
    "notify_on_print_cancelled": False,
    "notify_on_filament_change": True,
    "notify_on_heater_status": False,
    "notify_on_print_start": False,
    "notify_on_print_pause": False,
    "notify_on_print_resume": False,
}
SECRET = "s3cr3t-signing-value-7f1e"


def _webhook(url="https://example.com/hook", **config) -> dict:
    return {"name": "webhook", "config": {"custom_webhook_URL": url, **config}}


def _create(api, body) -> dict:
    resp = api.post(URL, body, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def _signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _write_plugin(root, plugin_id: str, source: str):
    folder = root / plugin_id
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(source))
    return root


ENV_PLUGIN = """
    import os

    from notifications.plugin import BaseNotificationPlugin


    class EnvPlugin(BaseNotificationPlugin):
        def env_vars(self):
            return {
                "MY_APP_TOKEN": {"is_required": True, "is_set": True, "value": os.environ["MY_APP_TOKEN"]},
                "MY_APP_PASSPHRASE": {"is_required": False, "is_set": True, "value": os.environ["MY_APP_PASSPHRASE"]},
                "MY_SERVER_URL": {"is_required": False, "is_set": True, "value": os.environ["MY_APP_TOKEN"]},
                "MY_CLIENT_ID": {"is_required": True, "is_set": True, "value": os.environ["MY_CLIENT_ID"]},
                "MY_MISSING_KEY": {"is_required": True, "is_set": False},
                "MY_OPTIONAL": {"is_required": False, "is_set": False},
                "MY_REGION": {"is_required": False, "is_set": True, "value": complex(1, 2)},
            }

        def validate_config(self, data):
            if "crash" in data:
                raise KeyError("crash")
            if "crash_calling_api" in data:
                token = os.environ["MY_APP_TOKEN"]
                raise RuntimeError(f"GET https://api.example.org/bot{token}/getChat failed; auth={token}")
            return data


    def __load_plugin__():
        return EnvPlugin()
"""

NO_TEST_PLUGIN = """
    from notifications.plugin import BaseNotificationPlugin


    class NoTestPlugin(BaseNotificationPlugin):
        pass


    def __load_plugin__():
        return NoTestPlugin()
"""

BROKEN_PLUGIN = """
    raise RuntimeError("apitest_broken exploded on import")
"""


@pytest.fixture
def extra_plugins(tmp_path, plugin_dirs, monkeypatch):
    monkeypatch.setenv("MY_APP_TOKEN", "tok-9f8e7d6c5b4a-very-secret")
    monkeypatch.setenv("MY_APP_PASSPHRASE", "horse-staple-passphrase-123")
    monkeypatch.setenv("MY_CLIENT_ID", "client-id-public-42")
    _write_plugin(tmp_path, "apitest_env", ENV_PLUGIN)
    _write_plugin(tmp_path, "apitest_notest", NO_TEST_PLUGIN)
    _write_plugin(tmp_path, "apitest_broken", BROKEN_PLUGIN)
    registry = plugin_dirs(tmp_path)
    assert "apitest_env" in registry and "apitest_notest" in registry
    return registry


# --- Fields and defaults -----------------------------------------------------------------------


def test_create_answers_with_the_seed_field_names_and_defaults(api, user):
    body = _create(api, _webhook())

    assert set(body) == {
        "id",
        "created_at",
        "updated_at",
        "name",
        "config",
        "enabled",
        *SEED_DEFAULTS,
        "label",
        "printers",
        "plugin_loaded",
        "config_secrets_set",
    }
    assert {k: body[k] for k in SEED_DEFAULTS} == SEED_DEFAULTS
    assert body["name"] == "webhook" and body["enabled"] is True and body["label"] == ""
    assert body["config"] == {"custom_webhook_URL": "https://example.com/hook"}
    assert body["printers"] == [] and body["plugin_loaded"] is True and body["config_secrets_set"] == []
    channel = NotificationSetting.objects.get(id=body["id"])
    assert channel.user == user
    assert {k: getattr(channel, k) for k in SEED_DEFAULTS} == SEED_DEFAULTS


def test_toggles_label_and_enabled_can_be_set_and_changed(api):
    toggles = {k: not v for k, v in SEED_DEFAULTS.items()}
    body = _create(api, {**_webhook(), **toggles, "label": "Farm hook", "enabled": False})
    assert {k: body[k] for k in SEED_DEFAULTS} == toggles
    assert body["label"] == "Farm hook" and body["enabled"] is False

    resp = api.patch(f"{URL}{body['id']}/", {"notify_on_print_start": False, "enabled": True}, format="json")

    assert resp.status_code == 200
    channel = NotificationSetting.objects.get(id=body["id"])
    assert channel.notify_on_print_start is False and channel.enabled is True
    assert channel.notify_on_print_resume is True and channel.label == "Farm hook"


def test_a_user_may_have_several_channels_of_one_plugin(api):
    first = _create(api, {**_webhook("https://a.example/hook"), "label": "a"})
    second = _create(api, {**_webhook("https://b.example/hook"), "label": "b"})

    listed = api.get(URL).json()

    assert [c["id"] for c in listed] == [first["id"], second["id"]]
    assert [c["config"]["custom_webhook_URL"] for c in listed] == ["https://a.example/hook", "https://b.example/hook"]


def test_delete_removes_the_channel(api):
    cid = _create(api, _webhook())["id"]

    assert api.delete(f"{URL}{cid}/").status_code == 204
    assert not NotificationSetting.objects.filter(id=cid).exists()
    assert api.get(f"{URL}{cid}/").status_code == 404


# --- Validation ------------------------------------------------------------------------------


def test_unknown_plugin_is_400_on_name_listing_the_available_ones(api):
    resp = api.post(URL, {"name": "carrier_pigeon", "config": {}}, format="json")

    assert resp.status_code == 400
    assert list(resp.json()) == ["name"]
    assert "carrier_pigeon" in resp.json()["name"][0] and "webhook" in resp.json()["name"][0]
    assert NotificationSetting.objects.count() == 0


@pytest.mark.parametrize("name", [None, "", ["webhook"], {"id": "webhook"}, "web\x00hook", "w" * 101])
def test_bad_name_is_400_on_name(api, name):
    resp = api.post(URL, {"name": name, "config": {"custom_webhook_URL": "https://example.com/"}}, format="json")

    assert resp.status_code == 400, resp.content
    assert "name" in resp.json()
    assert NotificationSetting.objects.count() == 0


def test_missing_name_is_400_on_name(api):
    resp = api.post(URL, {"config": {"custom_webhook_URL": "https://example.com/"}}, format="json")

    assert resp.status_code == 400
    assert "name" in resp.json()


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://example.com/hook", "javascript:alert(1)", "http://", "", None, 42, "https://x/\x00"]
)
def test_invalid_webhook_url_is_400_on_config_naming_the_field(api, url):
    resp = api.post(URL, {"name": "webhook", "config": {"custom_webhook_URL": url}}, format="json")

    assert resp.status_code == 400, resp.content
    assert list(resp.json()) == ["config"]
    assert "custom_webhook_URL" in resp.json()["config"]
    assert NotificationSetting.objects.count() == 0


def test_missing_webhook_url_is_400_naming_it(api):
    for body in ({"name": "webhook"}, {"name": "webhook", "config": {}}):
        resp = api.post(URL, body, format="json")
        assert resp.status_code == 400
        assert "custom_webhook_URL" in resp.json()["config"]
    assert NotificationSetting.objects.count() == 0


@pytest.mark.parametrize("config", ["https://example.com/", ["https://example.com/"], 5, True, None])
def test_config_that_is_not_an_object_is_400_on_config(api, config):
    resp = api.post(URL, {"name": "webhook", "config": config}, format="json")

    assert resp.status_code == 400, resp.content
    assert list(resp.json()) == ["config"]
    assert NotificationSetting.objects.count() == 0


def test_unknown_config_keys_are_dropped_by_a_declared_schema(api):
    body = _create(api, _webhook(colour="blue"))

    assert body["config"] == {"custom_webhook_URL": "https://example.com/hook"}
    assert NotificationSetting.objects.get(id=body["id"]).config == {"custom_webhook_URL": "https://example.com/hook"}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"label": "l" * 201}, "label"),
        ({"label": None}, "label"),
        ({"enabled": "maybe"}, "enabled"),
        ({"notify_on_print_done": None}, "notify_on_print_done"),
        ({"notify_on_heater_status": "often"}, "notify_on_heater_status"),
    ],
)
def test_bad_fields_are_400_naming_the_field(api, body, field):
    resp = api.post(URL, {**_webhook(), **body}, format="json")

    assert resp.status_code == 400, resp.content
    assert list(resp.json()) == [field]
    assert NotificationSetting.objects.count() == 0


def test_changing_the_plugin_of_a_channel_is_400_on_name(api, extra_plugins):
    body = _create(api, _webhook())

    resp = api.patch(f"{URL}{body['id']}/", {"name": "apitest_notest", "label": "changed"}, format="json")

    assert resp.status_code == 400
    assert "name" in resp.json()
    channel = NotificationSetting.objects.get(id=body["id"])
    assert (channel.name, channel.label) == ("webhook", "")
    assert api.patch(f"{URL}{body['id']}/", {"name": "webhook", "label": "same"}, format="json").status_code == 200


def test_invalid_config_on_update_changes_nothing(api):
    body = _create(api, {**_webhook(), "label": "before"})

    resp = api.patch(f"{URL}{body['id']}/", {"label": "after", "config": {"custom_webhook_URL": "nope"}}, format="json")

    assert resp.status_code == 400
    assert "custom_webhook_URL" in resp.json()["config"]
    channel = NotificationSetting.objects.get(id=body["id"])
    assert channel.label == "before"
    assert channel.config == {"custom_webhook_URL": "https://example.com/hook"}


def test_a_plugin_crashing_in_validate_config_is_a_400_on_config(api, extra_plugins):
    resp = api.post(URL, {"name": "apitest_env", "config": {"crash": True}}, format="json")

    assert resp.status_code == 400
    assert list(resp.json()) == ["config"]
    assert NotificationSetting.objects.count() == 0


def test_a_plugin_error_in_validate_config_never_shows_the_server_s_credentials(api, extra_plugins):
    resp = api.post(URL, {"name": "apitest_env", "config": {"crash_calling_api": True}}, format="json")

    assert resp.status_code == 400
    assert "RuntimeError" in resp.json()["config"][0]
    assert "tok-9f8e7d6c5b4a-very-secret" not in resp.content.decode()


@pytest.mark.parametrize("config", [{"note": "a\x00b"}, {"a\x00": "b"}, {"deep": [{"x": "\x00"}]}])
def test_nul_characters_in_a_free_form_config_are_400_on_config(api, extra_plugins, config):
    resp = api.post(URL, {"name": "apitest_env", "config": config}, format="json")

    assert resp.status_code == 400, resp.content
    assert list(resp.json()) == ["config"]
    assert NotificationSetting.objects.count() == 0


@pytest.mark.parametrize("config", ['{"n": 1e400}', '{"s": "\\ud800"}'])
def test_unstorable_json_in_a_free_form_config_is_400_on_config(api, extra_plugins, config):
    body = f'{{"name": "apitest_env", "config": {config}}}'
    resp = api.post(URL, data=body.encode(), content_type="application/json")

    assert resp.status_code == 400, resp.content
    assert list(resp.json()) == ["config"]
    assert NotificationSetting.objects.count() == 0


def test_a_free_form_config_is_stored_as_sent(api, extra_plugins):
    config = {"chat_id": "123", "nested": {"list": [1, 2.5, None, True]}, "unicode": "Grüße ✓"}

    body = _create(api, {"name": "apitest_env", "config": config})

    assert body["config"] == config
    assert NotificationSetting.objects.get(id=body["id"]).config == config


# --- Printers a channel is limited to ---------------------------------------------------------


def test_channel_can_be_limited_to_own_printers(api, user, make_printer):
    p1, _ = make_printer(user, "one")
    p2, _ = make_printer(user, "two")

    body = _create(api, {**_webhook(), "printers": [p1.id, p2.id]})

    assert sorted(body["printers"]) == sorted([p1.id, p2.id])
    resp = api.patch(f"{URL}{body['id']}/", {"printers": [p2.id]}, format="json")
    assert resp.status_code == 200 and resp.json()["printers"] == [p2.id]
    resp = api.patch(f"{URL}{body['id']}/", {"printers": []}, format="json")
    assert resp.status_code == 200 and resp.json()["printers"] == []
    assert not NotificationSetting.objects.get(id=body["id"]).printers.exists()


def test_another_user_s_printer_is_400_on_printers_and_nothing_is_saved(api, user, other_user, make_printer):
    mine, _ = make_printer(user, "mine")
    theirs, _ = make_printer(other_user, "theirs")

    resp = api.post(URL, {**_webhook(), "printers": [mine.id, theirs.id]}, format="json")

    assert resp.status_code == 400
    assert list(resp.json()) == ["printers"]
    assert NotificationSetting.objects.count() == 0
    assert not theirs.channels.exists()


def test_another_user_s_printer_on_update_is_400_and_changes_nothing(api, user, other_user, make_printer):
    mine, _ = make_printer(user, "mine")
    theirs, _ = make_printer(other_user, "theirs")
    body = _create(api, {**_webhook(), "printers": [mine.id]})

    resp = api.patch(f"{URL}{body['id']}/", {"printers": [theirs.id], "label": "x"}, format="json")

    assert resp.status_code == 400
    assert "printers" in resp.json()
    channel = NotificationSetting.objects.get(id=body["id"])
    assert list(channel.printers.values_list("id", flat=True)) == [mine.id] and channel.label == ""


def test_another_user_s_printer_and_a_missing_one_get_the_same_answer(api, other_user, make_printer):
    theirs, _ = make_printer(other_user, "theirs")

    a = api.post(URL, {**_webhook(), "printers": [theirs.id]}, format="json")
    b = api.post(URL, {**_webhook(), "printers": [theirs.id + 1000]}, format="json")

    assert a.status_code == b.status_code == 400
    assert a.json()["printers"][0].replace(str(theirs.id), "N") == b.json()["printers"][0].replace(
        str(theirs.id + 1000), "N"
    )


@pytest.mark.parametrize(
    "printers", ["1", "[null]", '["abc"]', '[{"id": 1}]', "[true]", "[99999999999999999999999]", "[1e400]", "[1.0]"]
)
def test_malformed_printers_are_400_on_printers(api, user, make_printer, printers):
    make_printer(user)  # id 1 may exist: a float must not find it
    body = '{"name": "webhook", "config": {"custom_webhook_URL": "https://example.com/"}, "printers": ' + printers + "}"

    resp = api.post(URL, body.encode(), content_type="application/json")

    assert resp.status_code == 400, resp.content
    assert list(resp.json()) == ["printers"]
    assert NotificationSetting.objects.count() == 0


# --- Secrets in config ------------------------------------------------------------------------


def test_webhook_secret_is_write_only(api):
    created = api.post(URL, _webhook(secret=SECRET), format="json")
    cid = created.json()["id"]

    answers = [
        created,
        api.get(URL),
        api.get(f"{URL}{cid}/"),
        api.patch(f"{URL}{cid}/", {"label": "renamed"}, format="json"),
        api.put(f"{URL}{cid}/", {"name": "webhook", "config": {"custom_webhook_URL": "https://x.org/"}}, format="json"),
    ]

    for resp in answers:
        assert resp.status_code in (200, 201), resp.content
        assert SECRET not in resp.content.decode()
        body = resp.json()
        for channel in body if isinstance(body, list) else [body]:
            assert "secret" not in channel["config"]
            assert channel["config_secrets_set"] == ["secret"]
    assert NotificationSetting.objects.get(id=cid).config["secret"] == SECRET


@pytest.mark.django_db(transaction=True)
def test_an_update_that_omits_the_secret_keeps_it(api, receiver):
    cid = _create(api, _webhook(receiver.url, secret=SECRET))["id"]

    resp = api.patch(f"{URL}{cid}/", {"config": {"custom_webhook_URL": receiver.url + "/v2"}}, format="json")
    assert resp.status_code == 200
    assert resp.json()["config"] == {"custom_webhook_URL": receiver.url + "/v2"}
    assert resp.json()["config_secrets_set"] == ["secret"]

    assert api.post(f"{URL}{cid}/send_test_message/").status_code == 200
    (request,) = receiver.wait_for(1)
    assert request.path == "/hook/v2"
    assert request.headers["x-printbell-signature"] == _signature(SECRET, request.body)


def test_a_secret_can_be_replaced_and_cleared(api):
    cid = _create(api, _webhook(secret=SECRET))["id"]

    api.patch(f"{URL}{cid}/", {"config": {"custom_webhook_URL": "https://x.org/", "secret": "new-one"}}, format="json")
    assert NotificationSetting.objects.get(id=cid).config["secret"] == "new-one"

    resp = api.patch(f"{URL}{cid}/", {"config": {"custom_webhook_URL": "https://x.org/", "secret": ""}}, format="json")
    assert resp.status_code == 200 and resp.json()["config_secrets_set"] == []
    assert not NotificationSetting.objects.get(id=cid).config.get("secret")


def test_a_channel_whose_plugin_is_not_loaded_shows_no_secrets_and_refuses_config_cleanly(api, user, make_channel):
    channel = make_channel(
        user,
        name="gone_plugin",
        config={"chat_id": "12345", "bot_token": "123:ABC-bot-token", "api_key": "key-0xdeadbeef", "secret": SECRET},
    )

    listed = api.get(URL)
    one = api.get(f"{URL}{channel.id}/")
    for resp in (listed, one):
        assert resp.status_code == 200
        text = resp.content.decode()
        assert "123:ABC-bot-token" not in text and "key-0xdeadbeef" not in text and SECRET not in text
    assert one.json()["plugin_loaded"] is False
    assert one.json()["config"] == {"chat_id": "12345"}
    assert one.json()["config_secrets_set"] == ["api_key", "bot_token", "secret"]

    resp = api.patch(f"{URL}{channel.id}/", {"config": {"chat_id": "1"}}, format="json")
    assert resp.status_code == 400
    assert "config" in resp.json()
    channel.refresh_from_db()
    assert channel.config["chat_id"] == "12345"

    resp = api.patch(f"{URL}{channel.id}/", {"enabled": False}, format="json")
    assert resp.status_code == 200
    assert "123:ABC-bot-token" not in resp.content.decode()

    resp = api.post(f"{URL}{channel.id}/send_test_message/")
    assert resp.status_code == 400
    assert "not loaded" in resp.json()["detail"]


# --- Available plugins ------------------------------------------------------------------------


def test_available_plugins_describes_the_webhook(api):
    resp = api.get(f"{URL}available_plugins/")

    assert resp.status_code == 200
    assert "failed" not in resp.json()
    webhook = resp.json()["plugins"]["webhook"]
    assert set(webhook) == {"id", "display_name", "features", "env_vars", "missing_env_vars", "config_schema"}
    assert webhook["id"] == "webhook" and webhook["display_name"] == "Webhook"
    assert sorted(webhook["features"]) == sorted(SEED_DEFAULTS)
    assert webhook["env_vars"] == {} and webhook["missing_env_vars"] == []
    fields = {f["name"]: f for f in webhook["config_schema"]["fields"]}
    assert fields["custom_webhook_URL"]["type"] == "url" and fields["custom_webhook_URL"]["required"] is True
    assert fields["secret"]["secret"] is True and fields["secret"]["required"] is False
    assert fields["custom_webhook_URL"]["secret"] is False


def test_env_var_values_that_are_secret_are_never_returned(api, extra_plugins):
    resp = api.get(f"{URL}available_plugins/")

    assert resp.status_code == 200
    text = resp.content.decode()
    assert "tok-9f8e7d6c5b4a-very-secret" not in text
    assert "horse-staple-passphrase-123" not in text
    env = resp.json()["plugins"]["apitest_env"]["env_vars"]
    assert env["MY_CLIENT_ID"] == {"is_required": True, "is_set": True, "value": "client-id-public-42"}
    assert env["MY_APP_TOKEN"] == {"is_required": True, "is_set": True}
    assert env["MY_MISSING_KEY"] == {"is_required": True, "is_set": False}
    assert resp.json()["plugins"]["apitest_env"]["missing_env_vars"] == ["MY_MISSING_KEY"]
    assert resp.json()["plugins"]["apitest_env"]["config_schema"] is None


def test_staff_also_see_the_plugins_that_failed(api, user, extra_plugins, django_user_model):
    plain = api.get(f"{URL}available_plugins/")
    assert "failed" not in plain.json() and "exploded" not in plain.content.decode()
    assert "apitest_broken" not in plain.json()["plugins"]

    user.is_staff = True
    user.save()
    staff = api.get(f"{URL}available_plugins/")

    failed = {f["id"]: f for f in staff.json()["failed"]}
    assert "apitest_broken" in failed
    assert "RuntimeError" in failed["apitest_broken"]["error"] and "exploded" in failed["apitest_broken"]["error"]
    assert "tok-9f8e7d6c5b4a-very-secret" not in staff.content.decode()


# --- The "Test" button ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_send_test_message_delivers_and_records_a_delivery(api, receiver):
    cid = _create(api, _webhook(receiver.url))["id"]

    resp = api.post(f"{URL}{cid}/send_test_message/")

    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "sent"
    (request,) = receiver.wait_for(1)
    assert request.json() == {"event": "TestEvent"}
    assert "x-printbell-signature" not in request.headers
    delivery = Delivery.objects.get(id=resp.json()["delivery"])
    assert request.headers["x-printbell-delivery"] == str(delivery.uuid)

    (listed,) = api.get("/api/v1/deliveries/").json()["results"]
    assert listed["id"] == delivery.id and listed["event"] is None and listed["channel"] == cid
    assert listed["kind"] == "TestMessage" and listed["status"] == "sent" and listed["last_error"] == ""
    assert [(a["number"], a["outcome"]) for a in listed["attempts"]] == [(1, "sent")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "code, said, words", [(500, b"provider exploded", "provider exploded"), (400, b'{"error": "no hook"}', "no hook")]
)
def test_send_test_message_reports_the_provider_s_error_as_502(api, receiver, code, said, words):
    cid = _create(api, _webhook(receiver.url))["id"]
    receiver.reply(Reply(code, said))

    resp = api.post(f"{URL}{cid}/send_test_message/")

    assert resp.status_code == 502, resp.content
    detail = resp.json()["detail"]
    assert resp.json()["status"] == "error"
    assert f"HTTP {code}" in detail and words in detail
    assert len(receiver.requests) == 1  # a test message is never retried
    delivery = Delivery.objects.get(id=resp.json()["delivery"])
    assert delivery.status == Delivery.FAILED and delivery.event is None
    assert delivery.attempts.get().http_status == code


@pytest.mark.django_db(transaction=True)
def test_send_test_message_to_an_unreachable_host_is_502_naming_the_host(api, receiver):
    url = receiver.url
    receiver.close()
    cid = _create(api, _webhook(url + "?token=abc123secretquery"))["id"]

    resp = api.post(f"{URL}{cid}/send_test_message/")

    assert resp.status_code == 502
    assert "127.0.0.1" in resp.json()["detail"]
    assert "abc123secretquery" not in resp.content.decode()


@pytest.mark.django_db(transaction=True)
def test_send_test_message_waits_no_longer_than_its_timeout(api, receiver, settings):
    settings.TEST_MESSAGE_TIMEOUT_SECONDS = 0.2
    cid = _create(api, _webhook(receiver.url))["id"]
    receiver.hold()

    resp = api.post(f"{URL}{cid}/send_test_message/")

    receiver.release()
    assert resp.status_code == 502
    assert "did not answer within 0.2 s" in resp.json()["detail"]
    assert Delivery.objects.get(id=resp.json()["delivery"]).status == Delivery.FAILED


@pytest.mark.django_db(transaction=True)
def test_send_test_message_of_a_plugin_without_it_is_400(api, extra_plugins):
    cid = _create(api, {"name": "apitest_notest", "config": {}})["id"]

    resp = api.post(f"{URL}{cid}/send_test_message/")

    assert resp.status_code == 400
    assert "cannot send test messages" in resp.json()["detail"]
    assert Delivery.objects.get(id=resp.json()["delivery"]).status == Delivery.SKIPPED


def test_send_test_message_needs_post(api):
    cid = _create(api, _webhook())["id"]

    assert api.get(f"{URL}{cid}/send_test_message/").status_code == 405
    assert Delivery.objects.count() == 0


def test_a_plugin_env_value_that_is_not_plain_json_is_shown_as_text(api, extra_plugins):
    resp = api.get("/api/v1/notification_settings/available_plugins/")
    assert resp.status_code == 200
    assert resp.json()["plugins"]["apitest_env"]["env_vars"]["MY_REGION"]["value"] == "(1+2j)"
