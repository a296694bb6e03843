package shop.stock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import java.io.IOException;
import java.io.OutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** `POST /reservations/{sku}`, in a server span that continues the caller's trace. */
final class ReservationHandler implements HttpHandler {
    private static final Pattern RESERVATION = Pattern.compile("/reservations/(\\d{1,9})");

    /** The request's headers, which the propagator reads `traceparent` from. */
    private static final TextMapGetter<HttpExchange> HEADERS =
            new TextMapGetter<>() {
                @Override
                public Iterable<String> keys(HttpExchange exchange) {
                    return exchange.getRequestHeaders().keySet();
                }

                @Override
                public String get(HttpExchange exchange, String name) {
                    return exchange == null ? null : exchange.getRequestHeaders().getFirst(name);
                }
            };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final InventoryClient inventory;
    private final ObjectMapper json = new ObjectMapper();

    ReservationHandler(Tracer tracer, TextMapPropagator propagator, InventoryClient inventory) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.inventory = inventory;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Context parent = propagator.extract(Context.root(), exchange, HEADERS);
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        Span span =
                tracer.spanBuilder("POST /reservations/{sku}")
                        .setParent(parent)
                        .setSpanKind(SpanKind.SERVER)
                        .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, method)
                        .setAttribute(UrlAttributes.URL_PATH, path)
                        .setAttribute(HttpAttributes.HTTP_ROUTE, "/reservations/{sku}")
                        .startSpan();
        try (Scope scope = span.makeCurrent()) {
            Matcher reservation = RESERVATION.matcher(path);
            if (!method.equals("POST") || !reservation.matches()) {
                answer(
                        exchange,
                        span,
                        404,
                        "application/problem+json",
                        problem(404, "Not Found", null, path));
                return;
            }
            int sku = Integer.parseInt(reservation.group(1));
            try {
                answer(exchange, span, 200, "application/json", reserve(sku));
            } catch (StockUnavailableException e) {
                span.recordException(e);
                span.setStatus(StatusCode.ERROR, e.getMessage());
                span.setAttribute(ErrorAttributes.ERROR_TYPE, e.getClass().getName());
                answer(
                        exchange,
                        span,
                        502,
                        "application/problem+json",
                        problem(502, "Bad Gateway", e.getMessage(), path));
            }
        } finally {
            span.end();
            exchange.close();
        }
    }

    /** Holds the stock of `sku` at inventory; any failure there is this service's own error. */
    private byte[] reserve(int sku) throws StockUnavailableException {
        try {
            return inventory.reserve(sku);
        } catch (InventoryException | IOException e) {
            throw new StockUnavailableException(sku, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StockUnavailableException(sku, e);
        }
    }

    /** Spring's `ProblemDetail.forStatusAndDetail(status, detail)`, with the request's path. */
    private byte[] problem(int status, String title, String detail, String path)
            throws IOException {
        return json.writeValueAsBytes(
                new ProblemDetail("about:blank", title, status, detail, path));
    }

    private static void answer(
            HttpExchange exchange, Span span, int status, String contentType, byte[] body)
            throws IOException {
        span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
