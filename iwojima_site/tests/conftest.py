import pytest


@pytest.fixture
def editor(client):
    """A client signed in as a member of the Editors group."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client
