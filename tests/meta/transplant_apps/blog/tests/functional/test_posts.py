"""Listeners the app registers on db.session fire under the harness."""


def test_a_new_post_is_indexed_by_the_apps_commit_listeners(client):
    client.post("/posts", json={"slug": "flask-testing", "title": "Testing Flask apps"})

    response = client.get("/search", query_string={"q": "testing"})

    assert "flask-testing" in response.get_json()["slugs"]


def test_posts_are_paged_by_the_test_config(client):
    for n in range(3):
        client.post("/posts", json={"slug": f"post-{n}", "title": f"Post {n}"})

    response = client.get("/posts", query_string={"page": 1})

    assert response.get_json()["slugs"] == ["post-0", "post-1"]
