"""Websocket endpoint: live messages for one room, and sending into it."""
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from . import chat, going_away, succession


class ChatConsumer(AsyncJsonWebsocketConsumer):
    group = None

    async def connect(self):
        room = self.scope["url_route"]["kwargs"]["room"]
        if going_away.draining() or await sync_to_async(succession.superseded, thread_sensitive=False)():
            # This replica is stopping, or a newer release serves beside it: refused (403),
            # nginx hands the handshake to the next replica.
            await self.close()
            return
        if not chat.is_valid_room(room):
            # Closing before accept() rejects the handshake (HTTP 403).
            await self.close()
            return
        self.room = room
        self.group = chat.group_name(room)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        going_away.track(self)

    async def disconnect(self, code):
        going_away.forget(self)
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # Replaces the JSON consumer's decoding, which would end the
        # connection on bad input; a client error is answered and the socket
        # stays open.
        if text_data is None:
            await self.send_error("expected a JSON text frame")
            return
        if len(text_data.encode("utf-8")) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            await self.send_error("message too large")
            return
        try:
            author, text = chat.parse_message(text_data)
        except chat.InvalidMessage as exc:
            await self.send_error(str(exc))
            return
        message = await database_sync_to_async(chat.create_message)(self.room, author, text)
        # The sender gets its own message back through the group, like everyone else.
        await chat.broadcast(message)

    async def chat_message(self, event):
        """Handles "chat.message" events sent to the room's group."""
        await self.send_json({"type": "message", "message": event["message"]})

    async def send_error(self, reason):
        await self.send_json({"type": "error", "error": reason})
