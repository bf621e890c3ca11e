import os


class Config:
    # Read at import, as the Flask Mega-Tutorial does.
    SECRET_KEY = os.environ.get("SECRET_KEY") or "you-will-never-guess"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or "sqlite:///blog.sqlite"
    POSTS_PER_PAGE = int(os.environ.get("POSTS_PER_PAGE") or 3)
