"""Closes every open websocket with 1001 (going away) when daphne shuts down, or at SIGUSR1.

A replica being replaced gets SIGTERM. Without this, daphne cancels the consumers and the
sockets drop without a close frame (1006), so clients wait on a dead connection; with it
they get 1001 and reconnect at once, through nginx or the load balancer, to a replica that
stays. After SIGTERM the replica refuses new websockets and keeps answering HTTP for
BUZZTALK_TERM_DRAIN_SECONDS before it stops: nginx may still send it requests for as long as its
last DNS answer is valid, and those must not fail.

An instance leaving at a preemption notice sends SIGUSR1 first: its sockets are closed at
once while the replica keeps answering HTTP until the balancer has taken the instance out
(its nginx refuses new websockets meanwhile), so the clients are elsewhere within a second
instead of after the balancer's check.
"""
import asyncio
import logging
import os
import signal
import weakref

logger = logging.getLogger(__name__)

_open = weakref.WeakSet()

# Time for the close frames to reach the sockets before daphne cancels everything.
FLUSH_SECONDS = 0.25

# Set by the stack from nginx's DNS validity; the default suits a run without one.
DRAIN_SECONDS = float(os.environ.get("BUZZTALK_TERM_DRAIN_SECONDS", "0"))

_draining = False


def draining():
    """True once SIGTERM arrived: new websockets are refused, HTTP is still served."""
    return _draining


def track(consumer):
    """Called once a websocket is accepted; one accepted while SIGTERM arrived is closed at once."""
    _open.add(consumer)
    if _draining:
        # connect() found the replica serving, then awaited Redis while the drain began.
        _close(consumer)


def forget(consumer):
    _open.discard(consumer)


def install():
    """Runs before daphne's own shutdown trigger, which cancels the application instances."""
    try:
        from twisted.internet import reactor
    except ImportError:  # not under daphne (tests of the Django parts, management commands)
        return
    reactor.addSystemEventTrigger("before", "shutdown", _close_all)
    try:
        # The handler runs between bytecodes of the main thread: hand the work to the reactor.
        signal.signal(signal.SIGUSR1, lambda signum, frame: reactor.callFromThread(_close_all))
    except ValueError:  # not the main thread: the signal keeps its default
        logger.warning("SIGUSR1 not handled: the application was loaded outside the main thread")
        return
    if DRAIN_SECONDS > 0:
        # Twisted installs its own SIGTERM handler (stop at once) as the reactor starts: take
        # SIGTERM over after that.
        reactor.callWhenRunning(_take_sigterm)


def _take_sigterm():
    from twisted.internet import reactor

    signal.signal(signal.SIGTERM, lambda signum, frame: reactor.callFromThread(_drain))


def _drain():
    global _draining
    if _draining:
        return
    _draining = True
    from twisted.internet import reactor

    from . import succession

    succession.stop()

    logger.info("going away: websockets closed, HTTP served for %.1f s more, then stopping", DRAIN_SECONDS)
    _close_all()
    reactor.callLater(DRAIN_SECONDS, reactor.stop)


def _close_all():
    consumers = list(_open)
    if not consumers:
        return None
    logger.info("going away: closing %d websocket(s) with 1001", len(consumers))
    for consumer in consumers:
        _close(consumer)
    from twisted.internet import defer, reactor

    # Runs before daphne cancels the consumers; the wait lets the frames go out and the
    # clients answer the closing handshake.
    return defer.Deferred.fromFuture(asyncio.ensure_future(asyncio.sleep(FLUSH_SECONDS))) if reactor.running else None


def _close(consumer):
    protocol = _daphne_protocol(consumer)
    try:
        if protocol is not None:
            # Autobahn's public close() allows only 1000 and 3000-4999 from a server;
            # its close-frame call sends 1001 and runs the closing handshake as usual.
            protocol.sendCloseFrame(code=1001, reasonUtf8=b"going away")
        else:
            asyncio.ensure_future(consumer.close(code=1000))
    except Exception:  # one broken socket must not keep the others open
        logger.exception("could not close a websocket")


def _daphne_protocol(consumer):
    """The daphne protocol behind a consumer: its send is functools.partial(server.handle_reply, protocol)."""
    send = getattr(consumer, "base_send", None)
    args = getattr(send, "args", ())
    protocol = args[0] if args else None
    return protocol if hasattr(protocol, "sendCloseFrame") else None
