// pricing: the shop's price list in Node.js, between orders (Python) and warehouse (Go).
// POST /quotes/{sku} checks the stock at warehouse and answers with the quote, or with 502 and
// `{"error": ..., "message": ...}`, the way an Express-style Node service usually answers.
//
// Instrumented as a Node user writes it with @opentelemetry/sdk-node: the NodeSDK with the
// OTLP/HTTP (protobuf) trace exporter (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME), W3C
// trace context in and out, a server span per request, a client span per call, and the error
// recorded with span.recordException (its V8 stack) where it is handled.
//
//   node pricing.js --port 0 --warehouse http://127.0.0.1:7005
//
// It prints `pricing listening on <url>` first, then serves until SIGTERM, when it flushes its
// spans.
'use strict';

const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const api = require('@opentelemetry/api');
const http = require('node:http');
const { parseArgs } = require('node:util');

const { values: options } = parseArgs({
  options: { port: { type: 'string', default: '0' }, warehouse: { type: 'string' } },
});
if (!options.warehouse) {
  console.error('usage: pricing --port N --warehouse URL');
  process.exit(2);
}
const warehouse = options.warehouse.replace(/\/+$/, '');

// No auto-instrumentations: the spans below are the ones this service means to have.
const sdk = new NodeSDK({ traceExporter: new OTLPTraceExporter(), instrumentations: [] });
sdk.start();
const tracer = api.trace.getTracer('pricing');

/** warehouse could not reserve the stock. */
class StockError extends Error {
  constructor(sku, status, said) {
    super(`warehouse answered ${status} to the stock check of sku ${sku}: ${said}`);
    this.name = 'StockError';
  }
}

/** Asks warehouse for the stock, in a client span whose context goes along as traceparent. */
async function checkStock(sku) {
  return tracer.startActiveSpan('POST', { kind: api.SpanKind.CLIENT }, (span) => requestStock(span, sku));
}

/** The call itself, in `span`: an error answer is thrown from here, where its stack starts. */
async function requestStock(span, sku) {
  const url = `${warehouse}/stock/${sku}`;
  try {
    span.setAttributes({
      'http.request.method': 'POST',
      'url.full': url,
      'server.address': new URL(url).hostname,
      'peer.service': 'warehouse',
    });
    const headers = {};
    api.propagation.inject(api.context.active(), headers);
    const response = await fetch(url, { method: 'POST', headers, signal: AbortSignal.timeout(5000) });
    span.setAttribute('http.response.status_code', response.status);
    const text = (await response.text()).slice(0, 64 * 1024);
    if (!response.ok) {
      let said = text.slice(0, 200);
      try {
        const body = JSON.parse(text);
        said = body.detail || body.message || body.error || said;
      } catch (_) {
        // Not JSON: its text is what it said.
      }
      throw new StockError(sku, response.status, said);
    }
    return JSON.parse(text);
  } finally {
    span.end();
  }
}

async function quote(sku) {
  const stock = await checkStock(sku);
  return { sku, price: 1999, currency: 'EUR', stock };
}

const server = http.createServer((request, response) => {
  const parent = api.propagation.extract(api.context.active(), request.headers);
  const match = /^\/quotes\/(\d+)$/.exec(request.url || '');
  tracer.startActiveSpan(
    'POST /quotes/{sku}',
    {
      kind: api.SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'url.path': request.url, 'http.route': '/quotes/{sku}' },
    },
    parent,
    async (span) => {
      const answer = (status, body) => {
        span.setAttribute('http.response.status_code', status);
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
        span.end();
      };
      if (request.method !== 'POST' || !match) {
        return answer(404, { error: 'not found' });
      }
      try {
        answer(200, await quote(Number(match[1])));
      } catch (error) {
        span.recordException(error);
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: error.message });
        answer(502, { error: error.name, message: error.message });
      }
    },
  );
});

server.listen(Number(options.port), '127.0.0.1', () => {
  console.log(`pricing listening on http://127.0.0.1:${server.address().port}`);
});

process.on('SIGTERM', () => {
  // Spans still in the batch are exported before the process ends.
  server.close(() => sdk.shutdown().finally(() => process.exit(0)));
});
