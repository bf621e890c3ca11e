from . import bp


@bp.route("/login")
def login():
    return "login"


@bp.route("/register")
def register():
    return "register"


@bp.route("/logout", methods=["POST"])
def logout():
    return "logout"
