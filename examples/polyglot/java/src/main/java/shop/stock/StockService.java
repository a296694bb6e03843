// stock: the shop's stock ledger in Java, between warehouse (Go) and inventory (Rust).
// POST /reservations/{sku} holds the stock at inventory and answers with the reservation, or
// with 502 and Spring's ProblemDetail (`application/problem+json`), the way a Java service
// usually answers.
//
// Instrumented as a Java user writes it with the OpenTelemetry Java SDK: the SDK configured
// from the standard OTEL_* variables (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_BSP_SCHEDULE_DELAY, ...) by its autoconfigure module, which builds an OpenTelemetrySdk
// with a BatchSpanProcessor and an OtlpHttpSpanExporter (sending with the JDK's HttpClient)
// and W3C trace context propagation; a server span per request, a client span per call, and
// the error recorded with span.recordException (its stack trace, with `Caused by:`) where it
// is handled.
//
//   java -jar stock.jar --port 0 --inventory http://127.0.0.1:7003
//
// It prints `stock listening on <url>` first, then serves until SIGTERM, when it flushes its
// spans.
package shop.stock;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

public final class StockService {
    private StockService() {}

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);

        // Its own shutdown hook, below, flushes the spans after the last request has ended.
        OpenTelemetrySdk sdk =
                AutoConfiguredOpenTelemetrySdk.builder()
                        .disableShutdownHook()
                        .build()
                        .getOpenTelemetrySdk();

        Tracer tracer = sdk.getTracer("shop.stock");
        TextMapPropagator propagator = sdk.getPropagators().getTextMapPropagator();
        InventoryClient inventory = new InventoryClient(tracer, propagator, options.inventory());
        HttpServer server =
                HttpServer.create(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()), 0);
        ExecutorService workers = Executors.newFixedThreadPool(8);
        server.setExecutor(workers);
        server.createContext("/", new ReservationHandler(tracer, propagator, inventory));
        server.start();
        System.out.println(
                "stock listening on http://127.0.0.1:" + server.getAddress().getPort());
        System.out.flush();

        // SIGTERM runs the shutdown hooks: requests in flight end (and their spans with them),
        // then the spans still in the batch are exported before the process ends.
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.stop(1);
                                    workers.shutdown();
                                    try {
                                        workers.awaitTermination(5, TimeUnit.SECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                    sdk.close();
                                },
                                "stock-shutdown"));
    }

    /** The command line: `--port N --inventory URL`. */
    private record Options(int port, URI inventory) {
        static Options parse(String[] args) {
            int port = 0;
            String inventory = null;
            for (int i = 0; i + 1 < args.length; i += 2) {
                switch (args[i]) {
                    case "--port" -> port = Integer.parseInt(args[i + 1]);
                    case "--inventory" -> inventory = args[i + 1];
                    default -> usage();
                }
            }
            if (args.length % 2 != 0 || inventory == null) {
                usage();
            }
            return new Options(port, URI.create(inventory.replaceAll("/+$", "")));
        }

        private static void usage() {
            System.err.println("usage: stock --port N --inventory URL");
            System.exit(2);
        }
    }
}
