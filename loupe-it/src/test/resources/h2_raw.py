"""Sends one HTTP/2 request with the headers given, through Loupe's CONNECT tunnel, without h2's own checks
(so that requests RFC 9113 forbids can be sent), and prints what came back: "status N", "reset CODE" or
"goaway CODE".

  h2_raw.py PROXY_HOST PROXY_PORT HOST PORT CA [name=value ...] [--data BYTES] [--websocket] [--linger]

--linger keeps the connection open after the response and then prints how it ended: "goaway CODE" or "closed".

--websocket sends an RFC 8441 extended CONNECT (:protocol websocket) instead, and first prints what the server's
SETTINGS said of SETTINGS_ENABLE_CONNECT_PROTOCOL ("connect-protocol N", 0 when not announced).
"""
import codecs
import socket
import ssl
import sys

import h2.config
import h2.connection
import h2.events
import h2.settings


def main():
    proxy_host, proxy_port, host, port, ca = sys.argv[1:6]
    rest = sys.argv[6:]
    data = None
    if "--data" in rest:
        i = rest.index("--data")
        data = rest[i + 1].encode()
        rest = rest[:i] + rest[i + 2:]
    websocket = "--websocket" in rest
    if websocket:
        rest.remove("--websocket")
    linger = "--linger" in rest
    if linger:
        rest.remove("--linger")
    raw = socket.create_connection((proxy_host, int(proxy_port)), timeout=10)
    raw.sendall(("CONNECT %s:%s HTTP/1.1\r\nHost: %s:%s\r\n\r\n" % (host, port, host, port)).encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += raw.recv(4096)
    context = ssl.create_default_context(cafile=ca)
    context.set_alpn_protocols(["h2"])
    tls = context.wrap_socket(raw, server_hostname=host)
    config = h2.config.H2Configuration(client_side=True, validate_outbound_headers=False,
                                       normalize_outbound_headers=False, validate_inbound_headers=False)
    conn = h2.connection.H2Connection(config=config)
    conn.initiate_connection()
    if websocket:
        # wait for the server's SETTINGS: a client may only use extended CONNECT once it is announced
        tls.sendall(conn.data_to_send())
        announced = None
        while announced is None:
            for event in conn.receive_data(tls.recv(65536)):
                if isinstance(event, h2.events.RemoteSettingsChanged):
                    setting = event.changed_settings.get(h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL)
                    announced = setting.new_value if setting is not None else 0
        print("connect-protocol %d" % announced)
        headers = [(":method", "CONNECT"), (":protocol", "websocket"), (":path", "/ws"), (":scheme", "https"),
                   (":authority", "%s:%s" % (host, port)), ("sec-websocket-version", "13")]
    else:
        headers = [(":method", "POST" if data is not None else "GET"), (":path", "/index.html"),
                   (":scheme", "https"), (":authority", "%s:%s" % (host, port))]
    # values may carry backslash escapes (\r, \n, \x00) for bytes a command line cannot
    headers += [(n, codecs.decode(v, "unicode_escape")) for n, v in (h.split("=", 1) for h in rest)]
    conn.send_headers(1, headers, end_stream=data is None)
    if data is not None:
        conn.send_data(1, data, end_stream=True)
    tls.sendall(conn.data_to_send())
    while True:
        chunk = tls.recv(65536)
        if not chunk:
            print("closed")
            return
        for event in conn.receive_data(chunk):
            if isinstance(event, h2.events.ResponseReceived):
                print("status " + dict(event.headers)[b":status"].decode(), flush=True)
                if not linger:
                    return
                tls.settimeout(60)
            if isinstance(event, h2.events.StreamReset):
                print("reset %d" % event.error_code)
                return
            if isinstance(event, h2.events.ConnectionTerminated):
                print("goaway %d" % event.error_code)
                return
        tls.sendall(conn.data_to_send())


main()
