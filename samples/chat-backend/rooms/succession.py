"""Old replicas refuse new websockets once a replica of a newer release serves.

A backend update runs start-first, one replica at a time: while swarm replaces them, old and
new replicas run side by side. A client whose replica stopped (1001) reconnects through
nginx, and without this it could land on another old replica and be dropped a second time
when that one stops. So each replica, once it answers its health check, announces its release
in Redis under its scope (the node and the stack's service: BUZZTALK_SCOPE, set by the stack);
a replica whose release is not the newest announced, while a replica of the newest is alive,
refuses new websockets (403) and nginx passes the handshake on to the next replica. Its open
websockets stay until swarm stops it: a client is disconnected once per deploy.

A release is BUZZTALK_RELEASE when set, else a hash of the application's files: the same code
is the same release whichever way it was deployed (stack deploy, image update, swarm's own
rollback). A rollback announces the older release again, which is then the newest.

Without a scope (a local run) nothing is announced or refused. When Redis cannot be asked,
the replica takes websockets: a refusal must never strand clients.
"""
import hashlib
import logging
import os
import pathlib
import threading
import time

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

SCOPE = os.environ.get("BUZZTALK_SCOPE", "")
# A dead replica's release stops counting as alive this long after its last announcement.
ALIVE_SECONDS = 15
ANNOUNCE_EVERY_SECONDS = 5
# A connect asks Redis at most this often per replica.
CACHE_SECONDS = 1.0
TIMEOUT_SECONDS = 0.5

_lock = threading.Lock()
_announced = False
_stopped = threading.Event()
_cached = (0.0, False)


def _release_of_files():
    root = pathlib.Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    # The code and the image's VERSION file, not what the app writes at run time.
    for path in sorted(root.rglob("*")):
        if path.is_file() and (path.suffix == ".py" or path.name == "VERSION"):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RELEASE = os.environ.get("BUZZTALK_RELEASE") or _release_of_files()


def _key(*parts):
    return ":".join(("buzztalk", "succession", SCOPE) + parts)


_client = None


def _redis():
    global _client
    if _client is None:
        _client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
    return _client


def ready():
    """Called when the replica passed its health check: the first time, it announces its release."""
    global _announced
    if not SCOPE or _stopped.is_set():
        return
    with _lock:
        if _announced:
            return
        try:
            client = _redis()
            client.set(_key("alive", RELEASE), "1", ex=ALIVE_SECONDS)
            client.set(_key("newest"), RELEASE)
        except redis.RedisError as exc:
            logger.warning("succession: release %s not announced: %s", RELEASE, exc)
            return
        _announced = True
    logger.info("succession: release %s announced as the newest of %s", RELEASE, SCOPE)
    threading.Thread(target=_keep_alive, name="succession", daemon=True).start()


def stop():
    """A stopping replica no longer keeps its release alive."""
    _stopped.set()


def _keep_alive():
    while not _stopped.wait(ANNOUNCE_EVERY_SECONDS):
        try:
            _redis().set(_key("alive", RELEASE), "1", ex=ALIVE_SECONDS)
        except redis.RedisError as exc:
            logger.warning("succession: %s", exc)


def superseded():
    """True while a newer release than this replica's serves in the same scope (blocking; cached)."""
    global _cached
    if not SCOPE:
        return False
    checked, answer = _cached
    now = time.monotonic()
    if now - checked < CACHE_SECONDS:
        return answer
    try:
        client = _redis()
        newest = client.get(_key("newest"))
        newest = newest.decode() if newest is not None else None
        answer = newest not in (None, RELEASE) and bool(client.exists(_key("alive", newest)))
    except (redis.RedisError, UnicodeDecodeError) as exc:
        logger.warning("succession: taking websockets, the newest release is unknown: %s", exc)
        answer = False
    _cached = (now, answer)
    return answer
