package shop.stock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** inventory's reservations, each asked for in a client span whose context goes as traceparent. */
final class InventoryClient {
    /** The most of an answer read back: a broken callee cannot make this service hold more. */
    private static final int MAX_BODY = 64 * 1024;

    /** Still incubating in the semantic conventions, so not in opentelemetry-semconv. */
    private static final AttributeKey<String> PEER_SERVICE = AttributeKey.stringKey("peer.service");

    private static final TextMapSetter<HttpRequest.Builder> HEADERS =
            (request, name, value) -> request.header(name, value);

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final URI inventory;
    private final HttpClient client =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
    private final ObjectMapper json = new ObjectMapper();

    InventoryClient(Tracer tracer, TextMapPropagator propagator, URI inventory) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.inventory = inventory;
    }

    /** Reserves the stock of `sku` at inventory: its answer, the reservation as JSON. */
    byte[] reserve(int sku) throws InventoryException, IOException, InterruptedException {
        URI url = URI.create(inventory + "/reservations/" + sku);
        Span span =
                tracer.spanBuilder("POST")
                        .setSpanKind(SpanKind.CLIENT)
                        .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, "POST")
                        .setAttribute(UrlAttributes.URL_FULL, url.toString())
                        .setAttribute(ServerAttributes.SERVER_ADDRESS, url.getHost())
                        .setAttribute(ServerAttributes.SERVER_PORT, (long) url.getPort())
                        .setAttribute(PEER_SERVICE, "inventory")
                        .startSpan();
        try (Scope scope = span.makeCurrent()) {
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(url)
                            .timeout(Duration.ofSeconds(5))
                            .POST(HttpRequest.BodyPublishers.noBody());
            propagator.inject(Context.current(), request, HEADERS);
            HttpResponse<InputStream> response =
                    client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream stream = response.body()) {
                body = stream.readNBytes(MAX_BODY);
            }
            int status = response.statusCode();
            span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
            if (status >= 400) {
                // An HTTP client's span of an error answer: its status, as the semantic
                // conventions say; the exception is recorded where it is handled.
                span.setAttribute(ErrorAttributes.ERROR_TYPE, Integer.toString(status));
                span.setStatus(StatusCode.ERROR);
                throw new InventoryException(sku, status, said(body));
            }
            return body;
        } catch (IOException e) {
            span.setAttribute(ErrorAttributes.ERROR_TYPE, e.getClass().getName());
            span.setStatus(StatusCode.ERROR, e.getMessage());
            throw e;
        } finally {
            span.end();
        }
    }

    /** What inventory said went wrong: its Problem Details' detail, else the body's start. */
    private String said(byte[] body) {
        try {
            JsonNode problem = json.readTree(body);
            for (String member : new String[] {"detail", "title"}) {
                if (problem != null && problem.path(member).isTextual()) {
                    return problem.path(member).asText();
                }
            }
        } catch (IOException notJson) {
            // Not JSON: its text is what it said.
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 200 ? text.substring(0, 200) : text;
    }
}
