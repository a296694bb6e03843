// warehouse: the shop's stock keeper in Go, between pricing (Node.js) and stock (Java).
// POST /stock/{sku} reserves the stock through the stock service and answers with the
// reservation, or with 502 and `{"error": ..., "detail": ...}`, the way a Go service usually
// answers.
//
// Instrumented as a Go user writes it with go.opentelemetry.io/otel: a tracer provider with the
// OTLP/HTTP exporter (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME), W3C trace context in and
// out, a server span per request, a client span per call, and the error recorded on the span
// where it was seen, with its stack (trace.WithStackTrace).
//
//	go run . --port 0 --stock http://127.0.0.1:7006
//
// It prints `warehouse listening on <url>` first, then serves until SIGTERM, when it flushes
// its spans.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

var tracer trace.Tracer

// ReservationError: the stock service answered a reservation with an error.
type ReservationError struct {
	Sku    int
	Status int
	Body   string
}

func (e *ReservationError) Error() string {
	return fmt.Sprintf("stock answered %d to the reservation of sku %d: %s", e.Status, e.Sku, e.Body)
}

func main() {
	port := flag.Int("port", 0, "port on 127.0.0.1 (0: any free one)")
	stock := flag.String("stock", "", "the stock service's base URL")
	flag.Parse()
	if *stock == "" {
		log.Fatal("usage: warehouse --port N --stock URL")
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	provider, err := tracing(ctx)
	if err != nil {
		log.Fatalf("tracing: %v", err)
	}

	client := &http.Client{Timeout: 5 * time.Second}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /stock/{sku}", func(w http.ResponseWriter, r *http.Request) {
		serveStock(w, r, client, *stock)
	})
	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("warehouse listening on http://%s\n", listener.Addr())
	server := &http.Server{Handler: mux}
	go func() {
		if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = server.Shutdown(shutdown)
	// Spans still in the batch are exported before the process ends.
	if err := provider.Shutdown(shutdown); err != nil {
		log.Printf("flushing spans: %v", err)
	}
}

// tracing installs the tracer provider and the W3C propagator, as the OpenTelemetry docs show.
func tracing(ctx context.Context) (*sdktrace.TracerProvider, error) {
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("telemetry.sdk.language", "go")))
	if err != nil {
		return nil, err
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(provider)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	tracer = provider.Tracer("warehouse")
	return provider, nil
}

func serveStock(w http.ResponseWriter, r *http.Request, client *http.Client, stock string) {
	ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := tracer.Start(ctx, "POST /stock/{sku}", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(
			attribute.String("http.request.method", r.Method),
			attribute.String("url.path", r.URL.Path),
			attribute.String("http.route", "/stock/{sku}"),
		))
	defer span.End()

	sku, err := strconv.Atoi(r.PathValue("sku"))
	if err != nil {
		answer(w, span, http.StatusBadRequest, map[string]string{"error": "bad sku", "detail": err.Error()})
		return
	}
	reservation, err := reserve(ctx, client, stock, sku)
	if err != nil {
		err = fmt.Errorf("reserving sku %d: %w", sku, err)
		span.SetStatus(codes.Error, err.Error())
		answer(w, span, http.StatusBadGateway, map[string]string{"error": "stock unavailable", "detail": err.Error()})
		return
	}
	answer(w, span, http.StatusOK, reservation)
}

// reserve asks the stock service for the stock, in a client span whose context goes along as
// traceparent; an error answer is recorded on that span, with the stack where it was seen.
func reserve(ctx context.Context, client *http.Client, stock string, sku int) (map[string]any, error) {
	url := fmt.Sprintf("%s/reservations/%d", stock, sku)
	ctx, span := tracer.Start(ctx, "POST", trace.WithSpanKind(trace.SpanKindClient))
	defer span.End()
	request, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return nil, err
	}
	span.SetAttributes(
		attribute.String("http.request.method", http.MethodPost),
		attribute.String("url.full", url),
		attribute.String("server.address", request.URL.Hostname()),
		attribute.String("peer.service", "stock"),
	)
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(request.Header))
	response, err := client.Do(request)
	if err != nil {
		span.RecordError(err, trace.WithStackTrace(true))
		span.SetStatus(codes.Error, err.Error())
		return nil, err
	}
	defer response.Body.Close()
	span.SetAttributes(attribute.Int("http.response.status_code", response.StatusCode))
	body, err := io.ReadAll(io.LimitReader(response.Body, 64*1024))
	if err != nil {
		return nil, err
	}
	if response.StatusCode >= 400 {
		err := &ReservationError{Sku: sku, Status: response.StatusCode, Body: summary(body)}
		span.RecordError(err, trace.WithStackTrace(true))
		span.SetStatus(codes.Error, err.Error())
		return nil, err
	}
	var reservation map[string]any
	if err := json.Unmarshal(body, &reservation); err != nil {
		return nil, err
	}
	return reservation, nil
}

// summary is what the stock service said: its Problem Details' detail, else the body's start.
func summary(body []byte) string {
	var problem struct {
		Detail string `json:"detail"`
		Title  string `json:"title"`
	}
	if json.Unmarshal(body, &problem) == nil && (problem.Detail != "" || problem.Title != "") {
		if problem.Detail != "" {
			return problem.Detail
		}
		return problem.Title
	}
	if len(body) > 200 {
		body = body[:200]
	}
	return string(body)
}

func answer(w http.ResponseWriter, span trace.Span, status int, body any) {
	span.SetAttributes(attribute.Int("http.response.status_code", status))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
