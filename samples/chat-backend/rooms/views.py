"""JSON HTTP API. Every response, errors included, is a JSON object."""
import functools
import logging
import re

import redis
from asgiref.sync import async_to_sync
from django import db
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse

from . import chat, succession
from .models import Message

logger = logging.getLogger(__name__)

HISTORY_LIMIT = 100
# Capped well below 2**63 so that no database rejects the comparison.
MESSAGE_ID = re.compile(r"[0-9]{1,18}")
# For Redis; the database check is bounded by connect_timeout in settings.
CHECK_TIMEOUT_SECONDS = 2


def error(status, reason, **headers):
    return JsonResponse({"error": reason}, status=status, headers=headers)


def room_messages(request, room):
    if not chat.is_valid_room(room):
        return error(400, "invalid room name")
    if request.method == "GET":
        return _list_messages(request, room)
    if request.method == "POST":
        return _post_message(request, room)
    return error(405, "method not allowed", Allow="GET, POST")


def _list_messages(request, room):
    """The last 100 messages, or with ?after=<id> the (at most 100) next ones.

    Both come in ascending id order, so a client catching up repeats the call
    with the last id it got until it receives fewer than 100 messages.
    """
    messages = Message.objects.filter(room=room)
    after = request.GET.get("after")
    if after is None:
        page = list(messages.order_by("-id")[:HISTORY_LIMIT])
        page.reverse()
    elif MESSAGE_ID.fullmatch(after):
        page = list(messages.filter(id__gt=int(after)).order_by("id")[:HISTORY_LIMIT])
    else:
        return error(400, "after must be a message id")
    return JsonResponse({"messages": [message.as_json() for message in page]})


def _post_message(request, room):
    try:
        body = request.body
    except RequestDataTooBig:
        return error(413, "request body too large")
    # The check above relies on Content-Length; a chunked body has none.
    if len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return error(413, "request body too large")
    try:
        author, text = chat.parse_message(body)
    except chat.InvalidMessage as exc:
        return error(400, str(exc))
    message = chat.create_message(room, author, text)
    async_to_sync(chat.broadcast)(message)
    return JsonResponse(message, status=201)


def health(request):
    if request.method != "GET":
        return error(405, "method not allowed", Allow="GET")
    failures = []
    try:
        with db.connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except db.Error as exc:
        failures.append(f"database: {exc}")
    try:
        _redis().ping()
    except redis.RedisError as exc:
        failures.append(f"redis: {exc}")
    body = {"status": "ok" if not failures else "unavailable", "replica": settings.BUZZTALK_REPLICA}
    if not failures:
        succession.ready()
    if failures:
        body["error"] = "; ".join(failures)
        logger.warning("health check failed: %s", body["error"])
    return JsonResponse(body, status=503 if failures else 200)


@functools.lru_cache(maxsize=None)
def _redis():
    # A plain client on the channel layer's server; the layer keeps its
    # connections per event loop and does not expose them for a quick PING.
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
    )


def not_found(request):
    """Catch-all route, so unknown paths get a JSON 404 whatever DEBUG says."""
    return error(404, "not found")


def bad_request(request, exception):
    return error(400, "bad request")


def server_error(request):
    return error(500, "internal server error")
