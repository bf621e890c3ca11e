"""Register, log in, log out. The work is done in services.py."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from . import bp
from .forms import LoginForm, RegistrationForm
from .services import DuplicateUserError, authenticate, register_user, safe_next_url


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
            flash(f"Welcome, {user.username}! Your account has been created.", "success")
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
