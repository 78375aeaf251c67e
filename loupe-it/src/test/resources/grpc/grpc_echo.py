"""gRPC partner for the end-to-end tests (python3-grpcio, generic handlers, raw bytes: no generated code).

  grpc_echo.py server PORT CERT KEY        serves p2.Echo over TLS until killed; prints "ready"
  grpc_echo.py client TARGET CA PROXY      runs every call type through the HTTP proxy, one JSON line each
"""
import json
import sys
import time

import grpc


def unary(request, context):
    if request == b"fail":
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "told to fail")
    if request == b"slow":
        time.sleep(2)
    context.set_trailing_metadata((("x-echo-trailer", "unary-done"),))
    return request


def server_stream(request, context):
    count = int(request.decode())
    for i in range(count):
        yield b"message-%d" % i


def client_stream(requests, context):
    total = 0
    n = 0
    for r in requests:
        total += len(r)
        n += 1
    return b"%d messages, %d bytes" % (n, total)


def bidi(requests, context):
    for r in requests:
        yield b"pong:" + r


def serve(port, cert, key):
    from concurrent import futures
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8),
                         options=[("grpc.max_receive_message_length", 16 * 1024 * 1024)])
    handler = grpc.method_handlers_generic_handler("p2.Echo", {
        "Unary": grpc.unary_unary_rpc_method_handler(unary),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream),
        "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream),
        "Bidi": grpc.stream_stream_rpc_method_handler(bidi),
    })
    server.add_generic_rpc_handlers((handler,))
    with open(cert, "rb") as c, open(key, "rb") as k:
        creds = grpc.ssl_server_credentials([(k.read(), c.read())])
    server.add_secure_port("127.0.0.1:%s" % port, creds)
    server.start()
    print("ready", flush=True)
    server.wait_for_termination()


def report(case, **fields):
    fields["case"] = case
    print(json.dumps(fields), flush=True)


def client(target, ca, proxy):
    with open(ca, "rb") as f:
        creds = grpc.ssl_channel_credentials(root_certificates=f.read())
    channel = grpc.secure_channel(target, creds, options=[
        ("grpc.http_proxy", proxy),
        ("grpc.max_receive_message_length", 16 * 1024 * 1024),
        ("grpc.max_send_message_length", 16 * 1024 * 1024)])
    call = channel.unary_unary("/p2.Echo/Unary")
    reply, state = call.with_call(b"hello", timeout=20)
    report("unary", reply=reply.decode(), trailers=dict(state.trailing_metadata()), code=state.code().name)

    big = bytes(range(256)) * (12 * 1024)  # 3 MiB
    reply = call(big, timeout=30)
    report("large", same=(reply == big), size=len(reply))

    try:
        call(b"fail", timeout=20)
        report("error", code="OK")
    except grpc.RpcError as e:
        report("error", code=e.code().name, details=e.details())

    try:
        call(b"slow", timeout=0.5)
        report("deadline", code="OK")
    except grpc.RpcError as e:
        report("deadline", code=e.code().name)

    stream = channel.unary_stream("/p2.Echo/ServerStream")
    count = 0
    last = None
    for m in stream(b"10000", timeout=60):
        if m != b"message-%d" % count:
            report("server-stream", error="message %d out of order: %r" % (count, m))
            break
        count += 1
        last = m
    report("server-stream", count=count, last=last.decode() if last else None)

    upload = channel.stream_unary("/p2.Echo/ClientStream")
    reply = upload(iter([b"x" * 100] * 1000), timeout=60)
    report("client-stream", reply=reply.decode())

    # ping-pong: each pong must come back before the next ping is sent (a buffering proxy deadlocks here)
    import queue
    pings = queue.Queue()

    def requests():
        while True:
            item = pings.get()
            if item is None:
                return
            yield item

    bidi_call = channel.stream_stream("/p2.Echo/Bidi")
    responses = bidi_call(requests(), timeout=30)
    ok = 0
    for i in range(50):
        pings.put(b"ping-%d" % i)
        if next(responses) == b"pong:ping-%d" % i:
            ok += 1
    pings.put(None)
    report("bidi", pongs=ok)
    channel.close()


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        client(sys.argv[2], sys.argv[3], sys.argv[4])
