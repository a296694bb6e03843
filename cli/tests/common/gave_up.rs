//! A caller that gave up, as the log lines say it: for the dashboard's tests, with and without
//! a browser.

/// The checkout's trace.
pub(crate) const TRACE: &str = "5c1960437c7c06b72463bed691ab6210";

/// A checkout whose gateway gave up on orders after 3 s, as the services write it (the lines of
/// `tests/cancellation.rs`' real run, cut down): the gateway's report, and orders' futures
/// dropped with the gateway's connection, each line naming its span's parent, the server span
/// and that span's remote parent, the gateway's client span, which no gateway line names.
/// `function` is the innermost dropped function's name; spans `b2`, `b3`, `b4` are cancelled,
/// `b1` is orders' server span and `c1` the gateway's client span, under its `a3`.
pub(crate) fn lines(function: &str) -> String {
    let trace = TRACE;
    let report = serde_json::json!({
        "timestamp": "2026-12-07T02:29:24.032011Z", "level": "ERROR", "target": "tracefault",
        "message": "error escaped shop::gateway::checkout", "service": "gateway",
        "trace_id": trace, "span_id": "00000000000000a2", "parent_span_id": "00000000000000a1",
        "server.span_id": "00000000000000a1", "http.request.method": "POST", "url.path": "/checkout/13",
        "exception.kind": "error", "exception.type": "shop::gateway::CheckoutError",
        "exception.message": "checkout of sku 13 failed",
        "exception.causes": [{"type": null, "message": "operation timed out"}],
        "exception.frames": [],
        "exception.span_trace": [
            {"function": "shop::gateway::checkout", "file": "examples/shop/gateway.rs", "line": 44, "span_id": "00000000000000a2"},
            {"function": "shop::gateway::place_order", "file": "examples/shop/gateway.rs", "line": 52, "span_id": "00000000000000a3"},
        ],
    });
    let cancelled = |span: &str, parent: &str, function: &str, elapsed: u64| {
        let depth = match span {
            "00000000000000b4" => 4,
            "00000000000000b3" => 3,
            _ => 2,
        };
        let names = [
            "http.server",
            "place_order",
            "reserve_stock",
            "ask_supplier",
        ];
        serde_json::json!({
            "timestamp": "2026-12-07T02:29:24.040000Z", "level": "INFO", "target": "tracefault",
            "message": "cancelled", "spans": names[..depth], "service": "orders",
            "trace_id": trace, "span_id": span,
            "code.function.name": function, "tracefault.elapsed_us": elapsed,
            "tracefault.cancelled": true, "parent_span_id": parent,
            "server.span_id": "00000000000000b1", "server.parent_span_id": "00000000000000c1",
            "http.request.method": "POST", "url.path": "/orders/13",
        })
    };
    [
        report,
        cancelled("00000000000000b4", "00000000000000b3", function, 3_025_238),
        cancelled(
            "00000000000000b3",
            "00000000000000b2",
            "shop::orders::reserve_stock",
            3_025_404,
        ),
        cancelled(
            "00000000000000b2",
            "00000000000000b1",
            "shop::orders::place_order",
            3_025_513,
        ),
    ]
    .iter()
    .map(|line| format!("{line}\n"))
    .collect()
}
