"""The floor: a raw WebSocket echo, the least any framework can do per click.

    hypercorn --worker-class trio echo:app --bind 127.0.0.1:8000
    uvicorn echo:app --port 8000

A plain ASGI app: GET / serves a page with a count and a + button; a click
sends the next count over the WebSocket, the server echoes the text back,
and the page writes the reply into the count.
"""

PAGE = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>echo floor</title></head>
<body>
<main><h1>Count: <span id="count">0</span></h1><button id="inc" disabled>+</button></main>
<script>
const count = document.getElementById("count");
const button = document.getElementById("inc");
const ws = new WebSocket(`ws://${location.host}/ws`);
ws.onopen = () => { button.disabled = false; };
ws.onmessage = (e) => { count.textContent = e.data; };
button.onclick = () => ws.send(String(Number(count.textContent) + 1));
</script>
</body></html>
"""


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "http":
        await receive()
        if scope["path"] == "/":
            headers = [(b"content-type", b"text/html; charset=utf-8")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": PAGE})
        else:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b"not found"})
    elif scope["type"] == "websocket":
        if scope["path"] != "/ws":
            await send({"type": "websocket.close", "code": 1008})
            return
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                await send({"type": "websocket.send", "text": message["text"]})
            elif message.get("bytes") is not None:
                await send({"type": "websocket.send", "bytes": message["bytes"]})
