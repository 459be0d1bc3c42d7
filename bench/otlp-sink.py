#!/usr/bin/env python3
"""A stand-in OTLP/HTTP collector for benchmarks: answers 200 to POST /v1/traces, keeps nothing.

Usage: bench/otlp-sink.py [PORT]   (default 14318, what bench/gateway-opentelemetry.yaml uses)
Prints the requests and bytes it took when stopped (Ctrl-C or SIGTERM).
"""
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

stats = {"requests": 0, "bytes": 0}


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the exporter expects

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        ok = self.path.split("?")[0] == "/v1/traces"
        if ok:
            stats["requests"] += 1
            stats["bytes"] += len(body)
        self.send_response(200 if ok else 404)
        # an empty ExportTraceServiceResponse
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 14318
    server = ThreadingHTTPServer(("127.0.0.1", port), Sink)
    server.daemon_threads = True

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    print(f"otlp-sink: {stats['requests']} exports, {stats['bytes']} bytes", flush=True)


if __name__ == "__main__":
    main()
