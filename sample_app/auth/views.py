"""Register, log in, log out, confirm the e-mail address. The work is done in services.py."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from . import bp
from .forms import LoginForm, RegistrationForm
from .services import (
    AlreadyConfirmed,
    ConfirmationError,
    ConfirmationExpired,
    ConfirmationForAnotherAccount,
    ConfirmationInvalid,
    DuplicateUserError,
    authenticate,
    confirm,
    register_user,
    safe_next_url,
    send_confirmation,
)

# What a logged-in user whose address is not confirmed yet may still use:
# the auth pages (log out, confirm, ask for a new link), reading the catalogue,
# and the API, which keeps no session and refuses them a token instead.
OPEN_TO_UNCONFIRMED_BLUEPRINTS = {"auth", "api"}
OPEN_TO_UNCONFIRMED_ENDPOINTS = {"static", "main.index", "main.about", "books.index", "books.detail"}

# The status of each page a confirmation link can end on, when it confirms nothing.
CONFIRMATION_STATUS = {
    ConfirmationInvalid: 400,
    ConfirmationForAnotherAccount: 403,
    ConfirmationExpired: 410,  # Gone: the link worked once and never will again
    AlreadyConfirmed: 200,  # nothing went wrong: the link was followed twice
}


@bp.before_app_request
def require_confirmation():
    """Send a logged-in user with an unconfirmed address to the "please confirm" page
    from every page they may not use yet (registered by this blueprint, run for the whole app)."""
    if (
        request.endpoint is None  # no route: let the 404 or 405 page answer
        or request.blueprint in OPEN_TO_UNCONFIRMED_BLUEPRINTS
        or request.endpoint in OPEN_TO_UNCONFIRMED_ENDPOINTS
    ):
        return None
    if current_user.is_authenticated and not current_user.confirmed:
        return redirect(url_for("auth.unconfirmed"))
    return None


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("books.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = register_user(form.email.data, form.username.data, form.password.data)
        except DuplicateUserError as exc:
            flash(str(exc), "error")
        else:
            login_user(user)
            flash(
                f"Welcome, {user.username}! Your account has been created. "
                f"Follow the link e-mailed to {user.email} to confirm your address.",
                "success",
            )
            return redirect(url_for("books.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("books.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember_me.data)
            flash("Logged in.", "success")
            # ``next`` is set by login_required; never follow it off this site.
            return redirect(safe_next_url(request.args.get("next"), url_for("books.index")))
        # One message for both cases: do not tell which e-mails are registered.
        flash("Invalid email or password.", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # POST only (with the CSRF token): a GET link or <img> on another site
    # must not be able to log a user out.
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("main.index"))


@bp.get("/confirm/<token>")
@login_required
def confirm_account(token):
    # login_required: a logged-out visitor logs in first and comes back here (``next``).
    try:
        confirm(current_user, token)
    except ConfirmationError as exc:
        return render_template("auth/confirm_result.html", message=str(exc)), CONFIRMATION_STATUS[type(exc)]
    flash("Thank you! Your account is confirmed.", "success")
    return redirect(url_for("books.index"))


@bp.get("/unconfirmed")
@login_required
def unconfirmed():
    if current_user.confirmed:
        return redirect(url_for("books.index"))
    return render_template("auth/unconfirmed.html")


@bp.post("/confirm/resend")
@login_required
def resend_confirmation():
    # POST with the CSRF token, like logout: another site must not make us send e-mails.
    try:
        send_confirmation(current_user)
    except AlreadyConfirmed as exc:
        flash(str(exc), "info")
        return redirect(url_for("books.index"))
    flash(f"A new confirmation link is on its way to {current_user.email}.", "success")
    return redirect(url_for("auth.unconfirmed"))
