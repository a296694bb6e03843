"""orders: the shop's order desk in Python, between the Rust gateway and pricing (Node.js).

POST /orders/{sku} asks pricing for a quote and answers with the order, or with 502 and RFC 9457
Problem Details carrying tracefault's extension members (docs/problem-details.schema.json):
`trace_id`, `span_id`, `service` and `exception` with its causes and frames, so that the
gateway's report chains this service's error as it chains a Rust one's.

Instrumented as a Python user writes it with the OpenTelemetry SDK: a tracer provider with the
OTLP/HTTP exporter (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME), W3C trace context in and
out, a server span per request, an internal span per step and a client span per call;
`start_as_current_span` records an exception that escapes it (`record_exception`) and sets the
span's status to error.

    python orders.py --port 0 --pricing http://127.0.0.1:7004

It prints `orders listening on <url>` first, then serves until SIGTERM, when it flushes its
spans.
"""

import argparse
import itertools
import json
import signal
import sys
import threading
import traceback
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry import propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

SERVICE = "orders"
ORDER_NUMBERS = itertools.count(2001)
# The most of an answer read back: a hostile or broken callee cannot make this service hold more.
MAX_BODY = 64 * 1024


class PricingError(Exception):
    """pricing answered a quote with an error."""

    def __init__(self, sku, status, answer):
        kind, said = answer
        super().__init__(f"pricing answered {status} to the quote of sku {sku}: {said}")
        self.sku = sku
        self.status = status
        # pricing's own error, as its answer names it: the next link of the chain.
        self.remote = {"type": kind, "message": said}


class OrderError(Exception):
    """No order could be placed."""


def quote(pricing, sku):
    """Asks pricing for the price of sku, in a client span whose context goes as traceparent."""
    url = f"{pricing}/quotes/{sku}"
    with tracer.start_as_current_span("POST", kind=SpanKind.CLIENT) as span:
        span.set_attribute("http.request.method", "POST")
        span.set_attribute("url.full", url)
        span.set_attribute("server.address", "127.0.0.1")
        span.set_attribute("peer.service", "pricing")
        headers = {}
        propagate.inject(headers)
        request = urllib.request.Request(url, method="POST", data=b"", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                span.set_attribute("http.response.status_code", response.status)
                return json.loads(response.read(MAX_BODY))
        except urllib.error.HTTPError as error:
            span.set_attribute("http.response.status_code", error.code)
            raise PricingError(sku, error.code, said(error.read(MAX_BODY))) from error


def said(body):
    """What a JSON error answer says, `(type, message)`: `{"error": type, "message": ...}`, else
    its text."""
    text = body.decode("utf-8", "replace")[:1000]
    try:
        answer = json.loads(body)
    except ValueError:
        return None, text
    if not isinstance(answer, dict):
        return None, text
    kind = answer.get("error") if isinstance(answer.get("error"), str) else None
    for key in ("message", "detail"):
        if isinstance(answer.get(key), str):
            return kind, answer[key][:1000]
    return None, kind or text


def place_order(pricing, sku):
    with tracer.start_as_current_span("place_order") as span:
        span.set_attribute("sku", sku)
        try:
            priced = quote(pricing, sku)
        except PricingError as error:
            raise OrderError(f"no order could be placed for sku {sku}") from error
        # The gateway's `Order`: its number, the sku and the packs warehouse reserved.
        return {
            "order": next(ORDER_NUMBERS),
            "sku": sku,
            "packs": priced["stock"]["packs"],
            "price": priced["price"],
        }


def problem(error, span, path):
    """RFC 9457 Problem Details with tracefault's extension members: the error, its causes
    (each `__cause__`, pricing's answer naming the service it came from) and its frames."""
    context = span.get_span_context()
    causes = []
    remote = None
    cause = error.__cause__
    while cause is not None and len(causes) < 16:
        causes.append({"type": type(cause).__name__, "message": str(cause)})
        if isinstance(cause, PricingError):
            remote = {
                **cause.remote,
                "service": "pricing",
                "status": cause.status,
                "method": "POST",
                "path": f"/quotes/{cause.sku}",
            }
        cause = cause.__cause__
    # Last, what pricing said went wrong there: a cause that names its service, so that the
    # gateway's report shows it in pricing, below this service's own errors.
    if remote is not None:
        causes.append(remote)
    # Outermost first, as Python prints them and as the schema says.
    frames = [
        {"function": frame.name, "file": frame.filename, "line": frame.lineno}
        for frame in traceback.extract_tb(error.__traceback__)
    ]
    return {
        "type": "about:blank",
        "title": "Bad Gateway",
        "status": 502,
        "detail": str(error),
        "instance": path,
        "trace_id": format(context.trace_id, "032x"),
        "span_id": format(context.span_id, "016x"),
        "service": SERVICE,
        "exception": {
            "type": type(error).__name__,
            "message": str(error),
            "causes": causes,
            "frames": frames,
        },
    }


class Handler(BaseHTTPRequestHandler):
    pricing = None

    def do_POST(self):
        context = propagate.extract(dict(self.headers))
        with tracer.start_as_current_span(
            "POST /orders/{sku}",
            context=context,
            kind=SpanKind.SERVER,
            # The answer below says what failed; the exception is recorded here by hand.
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            span.set_attribute("http.request.method", "POST")
            span.set_attribute("url.path", self.path)
            span.set_attribute("http.route", "/orders/{sku}")
            parts = self.path.strip("/").split("/")
            if len(parts) != 2 or parts[0] != "orders" or not parts[1].isdigit():
                return self.answer(span, 404, "application/json", {"error": "not found"})
            try:
                order = place_order(self.pricing, int(parts[1]))
            except OrderError as error:
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, str(error)))
                return self.answer(span, 502, "application/problem+json", problem(error, span, self.path))
            self.answer(span, 200, "application/json", order)

    def answer(self, span, status, content_type, body):
        span.set_attribute("http.response.status_code", status)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        # Access lines would go to stderr; the spans say what was served.
        pass


def main():
    global tracer
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--pricing", required=True)
    options = parser.parse_args()

    # Resource.create() reads OTEL_SERVICE_NAME; the exporter, OTEL_EXPORTER_OTLP_ENDPOINT.
    provider = TracerProvider(resource=Resource.create())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    tracer = trace.get_tracer(SERVICE)

    Handler.pricing = options.pricing.rstrip("/")
    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    print(f"{SERVICE} listening on http://127.0.0.1:{server.server_address[1]}", flush=True)

    def terminate(signum, frame):
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    server.serve_forever()
    # Spans still in the batch are exported before the process ends.
    provider.shutdown()


tracer = None

if __name__ == "__main__":
    sys.exit(main())
