from django.urls import re_path

from .consumers import ChatConsumer


async def reject(scope, receive, send):
    """Refuses the handshake (HTTP 403) on paths no consumer serves.

    Without it the router raises, which daphne logs as a crash and answers
    with a 500.
    """
    await receive()  # websocket.connect
    await send({"type": "websocket.close"})


# The room segment is permissive on purpose: the consumer validates it and
# rejects the handshake, rather than the router failing to find a route.
websocket_urlpatterns = [
    re_path(r"^ws/chat/(?P<room>.*)/$", ChatConsumer.as_asgi()),
    re_path(r"", reject),
]
