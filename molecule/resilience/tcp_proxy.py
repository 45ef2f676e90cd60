"""A TCP relay to the API server, so a test can make the API server unreachable for one client only.

Usage: tcp_proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT. Killing the relay is the outage; starting it
again on the same port ends it. TLS passes through untouched (the client still verifies the server).
"""
import asyncio
import sys


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main(listen_port, host, port):
    async def relay(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(host, port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    server = await asyncio.start_server(relay, '127.0.0.1', listen_port, reuse_address=True)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
