"""`practica webhook-receiver`: a small local endpoint that prints the deliveries it gets.

For the demo and for trying webhooks: register http://127.0.0.1:<port>/ as a webhook
(the demo allows loopback addresses), pass the webhook's secret with --secret, and each
delivery is printed with whether its signature and timestamp check out.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, HTTPServer

from django.core.management.base import BaseCommand

from practica.api.webhooks.signing import verify


class Command(BaseCommand):
    help = "Listen on 127.0.0.1 and print the webhook deliveries received."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8199)
        parser.add_argument("--secret", default="", help="The webhook's signing secret")

    def handle(self, *args, port, secret, **options):
        out = self.stdout

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                checked = "not checked (no --secret)"
                if secret:
                    good = verify(
                        secret,
                        self.headers.get("Practica-Timestamp", ""),
                        body,
                        self.headers.get("Practica-Signature", ""),
                    )
                    checked = "valid" if good else "INVALID"
                try:
                    event = json.loads(body)
                except ValueError:
                    event = {"event": "?", "data": body.decode("utf-8", "replace")}
                out.write(
                    f"{event.get('event')} (delivery {self.headers.get('Practica-Delivery')}, "
                    f"signature {checked}): {json.dumps(event.get('data'))}"
                )
                self.send_response(200 if checked != "INVALID" else 401)
                self.end_headers()
                self.wfile.write(b"received")

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", port), Handler)
        out.write(f"Receiving webhooks on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
