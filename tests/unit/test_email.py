"""Unit tests of e-mail (``sample_app.email``), with no network.

Patterns: mocked SMTP server; mock.patch with autospec; patch.object; mock
side_effect; asserting how a mock was called; monkeypatch.setattr; patching
where the name is looked up; indirect parametrization; caplog for log records;
pytest-flask config fixture and options marker; joining a thread instead of
sleeping.

monkeypatch or mock.patch? Both replace an attribute for one test and undo it
afterwards. Use ``monkeypatch`` (setattr, setenv) when the test only needs a
different value or a simple stand-in: the ``outbox`` fixture (tests/fixtures/mail.py)
swaps ``deliver`` for a function that keeps the messages. Use ``mock.patch``
when the test must also ask how the replacement was called, and give it
``autospec=True`` so the mock keeps the real signature.

Patch where a name is looked up: ``sample_app.email`` calls
``smtplib.SMTP(...)`` through the module, so patching ``smtplib.SMTP`` (with
``patch.object(smtplib, "SMTP")``) and ``"sample_app.email.smtplib.SMTP"``
reach the same attribute.
"""

import smtplib
import threading
from email.message import EmailMessage
from unittest.mock import ANY, MagicMock, patch

import pytest
from jinja2 import ChoiceLoader, DictLoader

from sample_app import email as email_module
from sample_app.email import build_message, deliver, send_email

TO = "reader@example.com"
SENDER = "Bookshelf <noreply@bookshelf.example>"  # MAIL_SENDER of every config


@pytest.fixture
def template_name(app, monkeypatch):
    """A template only these tests use, so they don't depend on the wording
    of the app's real e-mails. monkeypatch puts the app's loader back after."""
    templates = {"email/unit_test.txt": "Hello {{ name }}, you have {{ count }} new books."}
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([DictLoader(templates), app.jinja_env.loader]))
    return "unit_test"


@pytest.fixture
def mail_config(request, app):
    """SMTP settings for ``deliver()``: the app's config with the test's
    parameter (a dict of settings) applied on top. Parametrize it with
    ``indirect=True``; without a parameter it is a plain SMTP setup."""
    config = dict(app.config)
    config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="smtp.example.com",
        MAIL_PORT=587,
        MAIL_USE_TLS=False,
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
    )
    config.update(getattr(request, "param", {}))
    return config


@pytest.fixture
def message():
    msg = EmailMessage()
    msg["From"] = SENDER
    msg["To"] = TO
    msg["Subject"] = "Hello"
    msg.set_content("A message body.")
    return msg


def smtp_connection(smtp_class):
    """The object the code uses inside ``with smtplib.SMTP(...) as smtp:``."""
    return smtp_class.return_value.__enter__.return_value


# --- deliver(): SMTP mocked --------------------------------------------------


@patch("sample_app.email.smtplib.SMTP", autospec=True)
def test_deliver_connects_to_the_configured_server(smtp_class, app, mail_config, message):
    # GIVEN SMTP settings and smtplib.SMTP patched (by a decorator: the mock comes first, before the fixtures)
    # WHEN a message is delivered
    with app.app_context():
        delivered = deliver(mail_config, message)

    # THEN it connects to the configured host and port with the timeout, sends the message once, and reports success
    smtp_class.assert_called_once_with("smtp.example.com", 587, timeout=10)  # MAIL_TIMEOUT
    smtp_connection(smtp_class).send_message.assert_called_once_with(message)
    assert delivered is True


@pytest.mark.parametrize(
    ("mail_config", "expected_calls"),
    [
        pytest.param({}, ["send_message"], id="plain"),
        pytest.param({"MAIL_USE_TLS": True}, ["starttls", "send_message"], id="tls"),
        pytest.param({"MAIL_USERNAME": "mailer", "MAIL_PASSWORD": "secret"}, ["login", "send_message"], id="login"),
        pytest.param(
            {"MAIL_USE_TLS": True, "MAIL_USERNAME": "mailer", "MAIL_PASSWORD": "secret"},
            ["starttls", "login", "send_message"],
            id="tls-then-login",
        ),
    ],
    indirect=["mail_config"],
)
def test_deliver_uses_tls_and_login_only_when_configured(app, mail_config, message, expected_calls):
    # GIVEN SMTP settings with or without TLS and a username (the parameter goes to mail_config: indirect=)
    # WHEN a message is delivered
    with patch("sample_app.email.smtplib.SMTP", autospec=True) as smtp_class, app.app_context():
        deliver(mail_config, message)

    # THEN the connection gets exactly the calls those settings need, in order: STARTTLS, LOGIN, then sending
    assert [name for name, _args, _kwargs in smtp_connection(smtp_class).method_calls] == expected_calls


@pytest.mark.parametrize(
    "mail_config", [pytest.param({"MAIL_USERNAME": "mailer", "MAIL_PASSWORD": "secret"}, id="login")], indirect=True
)
def test_deliver_logs_in_with_the_configured_credentials(app, mail_config, message):
    # GIVEN SMTP settings with a username and password
    # WHEN a message is delivered
    with patch("sample_app.email.smtplib.SMTP", autospec=True) as smtp_class, app.app_context():
        deliver(mail_config, message)

    # THEN login() gets exactly those credentials
    smtp_connection(smtp_class).login.assert_called_once_with("mailer", "secret")


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(smtplib.SMTPRecipientsRefused({TO: (550, b"No such user")}), id="recipient-refused"),
        pytest.param(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), id="server-disconnected"),
        pytest.param(TimeoutError("timed out"), id="timeout"),
    ],
)
@patch.object(smtplib, "SMTP", autospec=True)
def test_deliver_logs_and_returns_false_when_sending_fails(smtp_class, app, mail_config, message, caplog, error):
    """Not raising: the e-mail must not fail the request that sent it."""
    # GIVEN an SMTP server that fails while sending (side_effect = an exception)
    smtp_connection(smtp_class).send_message.side_effect = error

    # WHEN a message is delivered
    with app.app_context():
        delivered = deliver(mail_config, message)

    # THEN deliver() returns False and logs an error naming the recipient
    assert delivered is False
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", f"Could not send e-mail to {TO}: {error}")
    ]


def test_deliver_returns_false_when_the_server_is_unreachable(app, mail_config, message, caplog):
    # GIVEN no mail server listening (the SMTP constructor raises ConnectionRefusedError)
    refused = ConnectionRefusedError(111, "Connection refused")

    # WHEN a message is delivered
    with patch("sample_app.email.smtplib.SMTP", side_effect=refused), app.app_context():
        delivered = deliver(mail_config, message)

    # THEN deliver() returns False and logs the connection error
    assert delivered is False
    assert "Connection refused" in caplog.text


def test_a_failed_delivery_does_not_affect_the_next_one(app, mail_config, message):
    # GIVEN an SMTP class whose first connection fails and second works (a MagicMock with a side_effect sequence)
    server = MagicMock(name="smtp-server")
    smtp_class = MagicMock(side_effect=[smtplib.SMTPConnectError(421, "Try again later"), server])

    # WHEN two messages are delivered
    with patch("sample_app.email.smtplib.SMTP", smtp_class), app.app_context():
        results = [deliver(mail_config, message), deliver(mail_config, message)]

    # THEN the first reports failure, the second success
    assert results == [False, True]
    assert smtp_class.call_count == 2
    # side_effect wins over return_value: the second call returned `server`.
    server.__enter__.return_value.send_message.assert_called_once_with(message)


@pytest.mark.options(LOG_LEVEL="INFO")  # the testing config logs WARNING and up
@pytest.mark.parametrize("mail_config", [pytest.param({"MAIL_BACKEND": "console"}, id="console")], indirect=True)
def test_console_backend_logs_the_message_and_never_opens_smtp(app, mail_config, message, caplog):
    # GIVEN the console mail backend (development)
    # WHEN a message is delivered
    with patch("sample_app.email.smtplib.SMTP") as smtp_class, app.app_context():
        delivered = deliver(mail_config, message)

    # THEN it is logged at INFO with its body, no SMTP connection is made, and deliver() reports success
    assert delivered is True
    smtp_class.assert_not_called()
    [record] = caplog.records
    assert record.getMessage().startswith(f"E-mail to {TO} (not sent, console backend):\n")
    assert "A message body." in caplog.text


# --- autospec: why ------------------------------------------------------------


def test_autospec_mock_rejects_a_call_that_the_real_function_would_reject():
    """A mock that accepts a wrong signature lets a broken call pass its test."""
    # GIVEN a plain MagicMock and an autospecced mock of deliver(config, msg)
    loose = MagicMock()

    # WHEN each is called with the message only (a bug: config is missing)
    loose("only the message")
    with patch.object(email_module, "deliver", autospec=True) as strict:
        with pytest.raises(TypeError, match="missing a required argument: 'msg'"):
            strict("only the message")

    # THEN the plain mock accepted it silently; the autospecced one raised TypeError (above), like the real function
    loose.assert_called_once_with("only the message")
    strict.assert_not_called()


def test_autospec_mock_has_only_the_real_attributes():
    """A plain MagicMock would invent the method, and the test would pass."""
    # GIVEN smtplib.SMTP patched with autospec=True, and a connection made from it
    with patch("smtplib.SMTP", autospec=True) as smtp_class:
        connection = smtplib.SMTP("smtp.example.com")

        # WHEN code uses a misspelt method name
        with pytest.raises(AttributeError, match="send_mesage"):
            connection.send_mesage

    # THEN AttributeError was raised (above), as with the real class; the connection itself came from the mock
    smtp_class.assert_called_once_with("smtp.example.com")


# --- build_message() and send_email() -----------------------------------------


def test_build_message_sets_headers_and_renders_the_body(app, template_name):
    # GIVEN a template and its context
    # WHEN a message is built
    with app.app_context():
        msg = build_message(app.config, TO, "New books", template_name, name="Ada", count=3)

    # THEN Subject, From (MAIL_SENDER) and To are set and the body is the rendered template
    assert (msg["Subject"], msg["From"], msg["To"]) == ("New books", SENDER, TO)
    # msg["to"] finds "To" too: items() shows the header names as they are sent.
    assert msg.items()[:3] == [("Subject", "New books"), ("From", SENDER), ("To", TO)]
    assert msg.get_content() == "Hello Ada, you have 3 new books.\n"


def test_plain_text_e_mail_is_not_html_escaped(app, template_name):
    # GIVEN a name with characters HTML would escape
    # WHEN a .txt e-mail is built (Flask autoescapes only .html/.xml templates)
    with app.app_context():
        msg = build_message(app.config, TO, "Hi", template_name, name="Ada & <Bob>", count=1)

    # THEN the characters appear as typed, not as &amp; entities
    assert "Hello Ada & <Bob>," in msg.get_content()


def test_send_email_hands_the_rendered_message_to_deliver(app, outbox, template_name):
    # GIVEN the outbox fixture (deliver replaced with monkeypatch: only the messages matter here, not the call)
    # WHEN an e-mail is sent
    with app.app_context():
        send_email(TO, "New books", template_name, name="Ada", count=2)

    # THEN one message with the subject and rendered body is delivered
    assert [(m["To"], m["Subject"]) for m in outbox] == [(TO, "New books")]
    assert "you have 2 new books" in outbox[0].get_content()


def test_send_email_delivers_at_once_when_not_async(app, template_name):
    # GIVEN MAIL_ASYNC off (the testing config) and deliver patched with autospec
    # WHEN an e-mail is sent
    with patch.object(email_module, "deliver", autospec=True, return_value=True) as deliver_mock, app.app_context():
        result = send_email(TO, "New books", template_name, name="Ada", count=2)

    # THEN deliver is called once, in this thread, with the app's config, and send_email returns no thread
    assert result is None
    deliver_mock.assert_called_once_with(app.config, ANY)
    assert deliver_mock.call_args.args[1]["To"] == TO


def test_each_e_mail_is_delivered_separately(app, template_name):
    # GIVEN deliver patched
    # WHEN e-mails are sent to two readers
    with patch.object(email_module, "deliver", autospec=True) as deliver_mock, app.app_context():
        for to in ("ada@example.com", "bob@example.com"):
            send_email(to, "New books", template_name, name=to, count=1)

    # THEN call_args_list shows one delivery per reader, in order
    assert [c.args[1]["To"] for c in deliver_mock.call_args_list] == ["ada@example.com", "bob@example.com"]


@pytest.mark.options(mail_async=True)
def test_send_email_async_returns_a_thread_that_delivers(app, template_name):
    # GIVEN MAIL_ASYNC on (pytest-flask's options marker, this test only) and SMTP mocked
    with patch("sample_app.email.smtplib.SMTP", autospec=True) as smtp_class:
        # WHEN an e-mail is sent, and the thread it returns joined (no sleeping)
        with app.app_context():
            thread = send_email(TO, "New books", template_name, name="Ada", count=2)
        thread.join(timeout=10)  # MAIL_TIMEOUT

    # THEN it was a daemon thread (a hanging mail server cannot keep the app from exiting), and it sent the message
    assert isinstance(thread, threading.Thread)
    assert thread.daemon is True
    assert not thread.is_alive()
    sent = smtp_connection(smtp_class).send_message.call_args.args[0]
    assert (sent["To"], sent["Subject"]) == (TO, "New books")
