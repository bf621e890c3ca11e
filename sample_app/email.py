"""E-mail through smtplib, sent from a background thread.

:func:`deliver` is the one function that talks to the outside world; tests
replace it (the ``outbox`` fixture) or mock ``smtplib.SMTP`` underneath it.
"""

import smtplib
from email.message import EmailMessage
from threading import Thread

from flask import current_app, render_template


def build_message(config, to, subject, template, **context):
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = config["MAIL_SENDER"]
    msg["To"] = to
    msg.set_content(render_template(f"email/{template}.txt", **context))
    return msg


def deliver(config, msg):
    """Send ``msg``; return True on success. Failures are logged, not raised:
    a mail server being down must not turn a registration into a 500."""
    logger = current_app.logger
    if config["MAIL_BACKEND"] == "console":
        logger.info("E-mail to %s (not sent, console backend):\n%s", msg["To"], msg)
        return True
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        logger.error("Could not send e-mail to %s: %s", msg["To"], exc)
        return False
    return True


def _deliver_in_context(app, msg):
    with app.app_context():
        deliver(app.config, msg)


def send_email(to, subject, template, **context):
    """Render and send an e-mail. With ``MAIL_ASYNC`` the SMTP work runs in a
    thread, which is returned so a caller (or a test) can ``join()`` it."""
    app = current_app._get_current_object()
    msg = build_message(app.config, to, subject, template, **context)
    if app.config["MAIL_ASYNC"]:
        thread = Thread(target=_deliver_in_context, args=(app, msg), daemon=True)
        thread.start()
        return thread
    _deliver_in_context(app, msg)
    return None
