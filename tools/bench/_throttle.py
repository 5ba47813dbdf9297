"""A TCP proxy that behaves like a slow link: both directions share nothing but each is
held to a bit rate, and the bytes that cross it are counted (headers included).

    link = ThrottledLink(server_port, bits_per_second=100e6)
    port = await link.start()      # point the client at 127.0.0.1:port
    ...; link.bytes_down           # server -> client bytes so far
    await link.stop()
"""

from __future__ import annotations

import asyncio
import time

_READ = 64 * 1024


class _Pace:
    """One direction of the link: bytes leave no faster than the rate, whichever connection
    sends them (a shared pipe, like a real access link)."""

    def __init__(self, bytes_per_second: float) -> None:
        self.rate = bytes_per_second
        self.free_at = 0.0
        self.total = 0

    async def take(self, n: int) -> None:
        now = time.perf_counter()
        start = max(now, self.free_at)
        self.free_at = start + n / self.rate
        self.total += n
        delay = self.free_at - now
        if delay > 0:
            await asyncio.sleep(delay)


class ThrottledLink:
    def __init__(self, target_port: int, bits_per_second: float = 100e6, host: str = "127.0.0.1") -> None:
        self.target = (host, target_port)
        self.down = _Pace(bits_per_second / 8)
        self.up = _Pace(bits_per_second / 8)
        self._server: asyncio.base_events.Server | None = None

    @property
    def bytes_down(self) -> int:
        return self.down.total

    @property
    def bytes_up(self) -> int:
        return self.up.total

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(self._pipe(client_r, server_w, self.up), self._pipe(server_r, client_w, self.down),
                             return_exceptions=True)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pace: _Pace) -> None:
        try:
            while True:
                data = await reader.read(_READ)
                if not data:
                    break
                await pace.take(len(data))
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
