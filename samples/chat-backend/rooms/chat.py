"""Chat rules shared by the HTTP views and the websocket consumer."""
import json
import logging
import re

from channels.layers import get_channel_layer
from redis.exceptions import RedisError

from .models import Message

logger = logging.getLogger(__name__)

ROOM_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
FIELD_LIMITS = {"author": 64, "text": 2000}


class InvalidMessage(ValueError):
    """Client input that cannot become a message; str() is the reason sent back."""


def is_valid_room(room):
    return ROOM_NAME.fullmatch(room) is not None


def group_name(room):
    # Channel layer group names allow only ASCII letters, digits, "-", "_"
    # and "." and must stay under 100 characters; a valid room name keeps
    # this within both limits.
    return f"chat.{room}"


def parse_message(document):
    """Returns (author, text) from a JSON document (str or bytes) or raises InvalidMessage."""
    try:
        payload = json.loads(document)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise InvalidMessage("malformed JSON") from None
    if not isinstance(payload, dict):
        raise InvalidMessage("expected a JSON object")
    values = []
    for field, limit in FIELD_LIMITS.items():
        value = payload.get(field)
        if not isinstance(value, str):
            raise InvalidMessage(f"{field} must be a string")
        if not 1 <= len(value) <= limit:
            raise InvalidMessage(f"{field} must be 1 to {limit} characters")
        try:
            # JSON escapes can smuggle in lone surrogates, which no database
            # encoding accepts; reject them here rather than fail on insert.
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidMessage(f"{field} is not valid Unicode") from None
        values.append(value)
    return tuple(values)


def create_message(room, author, text):
    return Message.objects.create(room=room, author=author, text=text).as_json()


async def broadcast(message):
    """Sends a stored message to every websocket subscribed to its room, on any replica.

    Live delivery is best effort: the message is already stored and clients
    catch up through the history API, so a failure here is logged rather than
    reported as a failed send, which a client would retry into a duplicate.
    """
    event = {"type": "chat.message", "message": message}
    try:
        await get_channel_layer().group_send(group_name(message["room"]), event)
    except (RedisError, OSError):
        logger.exception("could not broadcast message %s", message["id"])
