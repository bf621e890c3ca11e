import flask


def run_in_worker():
    return "worker"


def run_in_subprocess():
    return "subprocess"


def create_app():
    app = flask.Flask(__name__)

    @app.route("/")
    def index():
        return run_in_live_server()

    return app


def run_in_live_server():
    return "live"
