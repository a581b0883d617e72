"""ASGI entry point: `python3 -m daphne buzzchat.asgi:application`."""
import os

from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buzzchat.settings")
# Sets Django up; must run before anything that imports models.
django_application = get_asgi_application()

from rooms import going_away  # noqa: E402
from rooms.routing import websocket_urlpatterns  # noqa: E402

# No origin check on websockets: no cookie or other ambient credential
# authenticates them, so a cross-site page gains nothing it could not do by
# connecting directly, and non-browser clients send no Origin at all.
application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": URLRouter(websocket_urlpatterns),
    }
)

# Open websockets are closed with 1001 when daphne stops (SIGTERM).
going_away.install()
