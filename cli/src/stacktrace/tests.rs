//! Each format over a real trace (`cli/tests/fixtures/stacktraces/`, made as its README says),
//! and every parser over hostile text.

use super::*;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/stacktraces/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// `function file:line` and whose code, per frame, outermost first.
fn frames(exception: &Exception) -> Vec<String> {
    exception
        .frames
        .iter()
        .map(|frame| {
            let code = match frame.code {
                Code::Application => "app",
                Code::Dependency => "dep",
                Code::Runtime => "rt",
            };
            format!(
                "{} {}:{} {code}",
                frame.function,
                frame.file.as_deref().unwrap_or("?"),
                frame.line.map_or("?".to_owned(), |line| line.to_string())
            )
        })
        .collect()
}

fn read(name: &str, language: Language) -> StackTrace {
    let trace = parse(&fixture(name)).unwrap_or_else(|| panic!("{name} is read"));
    assert_eq!(trace.language, language, "{name}");
    trace
}

#[test]
fn python_chains_are_read_outermost_first() {
    let trace = read("python_chained.txt", Language::Python);
    assert_eq!(trace.exceptions.len(), 2);
    let outer = &trace.exceptions[0];
    assert_eq!(outer.type_name.as_deref(), Some("RuntimeError"));
    assert_eq!(outer.message, "config unreadable");
    assert_eq!(
        frames(outer),
        ["<module> /app/t.py:9 app", "load /app/t.py:8 app"]
    );
    let cause = &trace.exceptions[1];
    assert_eq!(
        cause.type_name.as_deref(),
        Some("json.decoder.JSONDecodeError")
    );
    assert_eq!(frames(cause)[0], "load /app/t.py:6 app");
    assert!(frames(cause)[4].starts_with(
        "raw_decode /root/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py:353 rt"
    ));
    assert!(python::is_python(&fixture("python_chained.txt")));
    assert!(!python::is_python(
        "Traceback (most recent call last):\n  File \"src/a.rs\", line 3, in a::f\nio::Error: x\n"
    ));
}

#[test]
fn java_causes_share_their_outer_frames() {
    let trace = read("java_caused_by.txt", Language::Jvm);
    let outer = &trace.exceptions[0];
    assert_eq!(
        outer.type_name.as_deref(),
        Some("java.lang.IllegalStateException")
    );
    assert_eq!(outer.message, "bad order");
    assert_eq!(
        frames(outer),
        [
            "com.example.Service.main Service.java:8 app",
            "com.example.Service.handle Service.java:5 app"
        ]
    );
    let cause = &trace.exceptions[1];
    assert_eq!(cause.message, "For input string: \"x\"");
    // `... 2 more`: the wrapping exception's two outermost calls.
    assert_eq!(
        frames(cause),
        [
            "com.example.Service.main Service.java:8 app",
            "com.example.Service.handle Service.java:5 app",
            "com.example.Service.parse Service.java:3 app",
            "java.lang.Integer.parseInt Integer.java:786 rt",
            "java.lang.Integer.parseInt Integer.java:668 rt",
            "java.lang.NumberFormatException.forInputString NumberFormatException.java:67 rt",
        ]
    );
    let issue = read("java_from_issue.txt", Language::Jvm);
    assert_eq!(
        frames(&issue.exceptions[0]),
        [
            "java.lang.Thread.run Thread.java:1583 rt",
            "org.springframework.web.servlet.DispatcherServlet.doDispatch DispatcherServlet.java:1089 dep",
            "com.example.Service.handle Service.java:42 app",
        ]
    );
}

#[test]
fn node_frames_tell_packages_and_node_internals() {
    let trace = read("node.txt", Language::Node);
    let error = &trace.exceptions[0];
    assert_eq!(error.type_name.as_deref(), Some("SyntaxError"));
    let shown = frames(error);
    assert_eq!(
        shown[0],
        "<anonymous> node:internal/main/run_main_module:28 rt"
    );
    assert_eq!(shown[shown.len() - 2], "parseErrorMessage /app/t.js:1 app");
    assert_eq!(shown[shown.len() - 1], "JSON.parse <anonymous>:? rt");
    assert_eq!(error.frames[shown.len() - 2].column, Some(45));
    let issue = read("node_from_issue.txt", Language::Node);
    assert_eq!(
        frames(&issue.exceptions[0]),
        [
            "process.processTicksAndRejections node:internal/process/task_queues:95 rt",
            "OrderRepository.find /app/src/orders/repository.js:41 app",
            "Parser.handlePacket /app/node_modules/pg-protocol/dist/parser.js:126 dep",
            "Parser.parseErrorMessage /app/node_modules/pg-protocol/dist/parser.js:287 dep",
        ]
    );
}

#[test]
fn dotnet_inner_exceptions_get_their_own_part() {
    let trace = read("dotnet_inner.txt", Language::DotNet);
    let outer = &trace.exceptions[0];
    assert_eq!(
        outer.type_name.as_deref(),
        Some("System.InvalidOperationException")
    );
    assert_eq!(
        frames(outer),
        [
            "Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.SyncObjectResultExecutor.Execute ?:? rt",
            "Shop.OrdersController.Create /src/Shop/OrdersController.cs:31 app",
            "Shop.Pricing.Price /src/Shop/Pricing.cs:22 app",
        ]
    );
    let inner = &trace.exceptions[1];
    assert_eq!(inner.type_name.as_deref(), Some("System.FormatException"));
    assert_eq!(
        frames(inner)[1],
        "Shop.Pricing.Parse /src/Shop/Pricing.cs:12 app"
    );
    assert_eq!(frames(inner)[2], "System.Int32.Parse ?:? rt");
}

#[test]
fn go_panics_and_debug_stacks_are_read() {
    let trace = read("go_panic.txt", Language::Go);
    let panic = &trace.exceptions[0];
    assert_eq!(panic.type_name.as_deref(), Some("panic"));
    assert_eq!(
        panic.message,
        "runtime error: index out of range [3] with length 1"
    );
    assert_eq!(
        frames(panic),
        [
            "main.main /src/shop/main.go:19 app",
            "main.(*order).total /src/shop/main.go:12 app"
        ]
    );
    let stack = read("go_debug_stack.txt", Language::Go);
    let shown = frames(&stack.exceptions[0]);
    assert_eq!(shown[0], "main.main /src/shop/main.go:16 app");
    assert_eq!(shown[1], "sort.Slice /usr/local/go/src/sort/slice.go:29 rt");
    assert_eq!(
        shown[shown.len() - 1],
        "runtime/debug.Stack /usr/local/go/src/runtime/debug/stack.go:26 rt"
    );
    assert_eq!(stack.exceptions[0].type_name, None);
    // go.opentelemetry.io/otel's `span.RecordError(err, trace.WithStackTrace(true))`, from the
    // polyglot example's warehouse, built with GOMODCACHE outside `pkg/mod`: the SDK's frames
    // are a dependency's, by their `module@version` directory, and the origin is the
    // application's innermost frame.
    let recorded = read("go_otel_record_error.txt", Language::Go);
    let shown = frames(&recorded.exceptions[0]);
    // Outermost, what started the goroutine (`created by`).
    assert_eq!(
        shown[0],
        "net/http.(*Server).Serve /usr/local/go/src/net/http/server.go:3464 rt"
    );
    assert_eq!(
        &shown[5..],
        [
            "main.main.func1 /src/tracefault/examples/polyglot/go/main.go:73 app",
            "main.serveStock /src/tracefault/examples/polyglot/go/main.go:129 app",
            "main.reserve /src/tracefault/examples/polyglot/go/main.go:170 app",
            "go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).RecordError /src/tracefault/target/go/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go:509 dep",
            "go.opentelemetry.io/otel/sdk/trace.recordStackTrace /src/tracefault/target/go/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go:527 dep",
        ]
    );
}

#[test]
fn ruby_backtraces_are_read() {
    let trace = read("ruby.txt", Language::Ruby);
    let error = &trace.exceptions[0];
    assert_eq!(error.type_name.as_deref(), Some("NoMethodError"));
    assert_eq!(error.message, "undefined method 'price' for nil");
    assert_eq!(
        frames(error),
        [
            "<main> app.rb:3 app",
            "Benchmark.realtime /usr/local/lib/ruby/3.4.0/benchmark.rb:323 rt",
            "ActionController::BasicImplicitRender#send_action /usr/local/bundle/gems/actionpack-7.1.3/lib/action_controller/metal/basic_implicit_render.rb:6 dep",
            "OrdersController#show /app/app/controllers/orders_controller.rb:8 app",
            "Order#total /app/app/models/order.rb:12 app",
        ]
    );
}

#[test]
fn rust_std_backtraces_are_read() {
    let trace = read("rust_std_panic.txt", Language::Rust);
    let panic = &trace.exceptions[0];
    assert_eq!(panic.type_name.as_deref(), Some("panic"));
    assert_eq!(
        panic.message,
        "index out of bounds: the len is 1 but the index is 3"
    );
    let shown = frames(panic);
    assert_eq!(shown.len(), 7);
    assert!(shown[0].starts_with("core::ops::function::FnOnce::call_once /rustc/"));
    assert_eq!(
        shown[1..4],
        [
            "r::main ./r.rs:3 app",
            "r::checkout ./r.rs:2 app",
            "r::reserve ./r.rs:1 app"
        ]
    );
    assert!(shown[6].starts_with("__rustc::rust_begin_unwind"));
}

#[test]
fn a_dotnet_messages_further_lines_are_not_exceptions() {
    let text = "System.Exception: first line\nsecond line\n ---> System.IO.IOException: disk\n   at A.B() in /a.cs:line 3\n   --- End of inner exception stack trace ---\n   at A.C() in /a.cs:line 9\n";
    let trace = parse(text).unwrap();
    assert_eq!(trace.exceptions.len(), 2);
    assert_eq!(frames(&trace.exceptions[0]), ["A.C /a.cs:9 app"]);
    assert_eq!(frames(&trace.exceptions[1]), ["A.B /a.cs:3 app"]);
}

#[test]
fn a_java_causes_shared_frames_are_copied_once() {
    let text = "x.E: top\n\tat a.B.c(D.java:1)\n\tat a.B.d(D.java:2)\nCaused by: x.F: deeper\n\tat a.B.e(D.java:3)\n\t... 1 more\n\t... 1 more\n";
    let trace = parse(text).unwrap();
    assert_eq!(
        frames(&trace.exceptions[1]),
        ["a.B.d D.java:2 app", "a.B.e D.java:3 app"]
    );
}

#[test]
fn a_rust_backtrace_without_its_header_is_read() {
    let text = "   0: std::backtrace::Backtrace::create\n             at /rustc/abc/library/std/src/backtrace.rs:331:13\n   1: shop::reserve\n             at ./src/shop.rs:9:5\n";
    let trace = parse(text).unwrap();
    assert_eq!(trace.language, Language::Rust);
    assert_eq!(
        frames(&trace.exceptions[0]),
        [
            "shop::reserve ./src/shop.rs:9 app",
            "std::backtrace::Backtrace::create /rustc/abc/library/std/src/backtrace.rs:331 rt"
        ]
    );
}

#[test]
fn text_in_no_known_format_is_not_read() {
    assert_eq!(parse("something went wrong\nand then more"), None);
    assert_eq!(parse(""), None);
}

mod hostile {
    use super::super::*;
    use proptest::prelude::*;

    /// Every parser, whatever the detection would pick, over `text`: none panics, and the
    /// frames stay within the bounds.
    fn every_parser(text: &str) -> usize {
        let lines = bounded_lines(text);
        assert!(lines.iter().map(|line| line.len() + 1).sum::<usize>() <= MAX_INPUT + lines.len());
        assert!(lines.iter().all(|line| line.len() <= MAX_LINE));
        let all = [
            python::parse(&lines),
            jvm::parse(&lines),
            dotnet::parse(&lines),
            node::parse(&lines),
            go::parse(&lines),
            ruby::parse(&lines),
            rust_std::parse(&lines),
        ];
        let mut most = 0;
        for exceptions in all {
            assert!(exceptions.len() <= MAX_EXCEPTIONS + 1);
            let frames: usize = exceptions
                .iter()
                .map(|exception| exception.frames.len())
                .sum();
            // A frame takes at least a line's worth of bytes (3, `at ` and a name), except
            // for the JVM's copied shared frames, which are capped by `MAX_FRAMES`.
            assert!(frames <= MAX_FRAMES.max(lines.len()), "{frames} frames");
            most = most.max(frames);
        }
        if let Some(trace) = parse(text) {
            let kept: usize = trace
                .exceptions
                .iter()
                .map(|exception| exception.frames.len())
                .sum();
            assert!(kept <= MAX_FRAMES);
            assert!(trace.exceptions.len() <= MAX_EXCEPTIONS);
        }
        most
    }

    #[test]
    fn millions_of_frame_lines_are_read_only_to_the_bound() {
        for line in [
            "\tat a.B.c(D.java:1)\n",
            "    at f (/a.js:1:2)\n",
            "   at A.B() in /a.cs:line 1\n",
            "/a.rb:1:in 'f'\n",
            "  File \"a.py\", line 1, in f\n",
            "main.f()\n\t/a.go:1 +0x1\n",
            "  0: f\n             at ./a.rs:1:2\n",
        ] {
            let text = line.repeat(2_000_000 / line.len().min(20));
            let frames = every_parser(&text);
            assert!(frames <= MAX_INPUT / 5, "{line:?}: {frames}");
        }
    }

    #[test]
    fn deep_cause_chains_and_huge_lines_are_bounded() {
        let mut text = String::from("x.E: top\n");
        for _ in 0..10_000 {
            text.push_str("Caused by: x.E: deeper\n\tat a.B.c(D.java:1)\n\t... 4096 more\n");
        }
        every_parser(&text);
        let huge = format!("    at {} (/a.js:1:2)\n", "f".repeat(10 << 20));
        every_parser(&huge);
        let inner = format!("A: a{}\n", " ---> B: b".repeat(100_000));
        every_parser(&inner);
    }

    proptest! {
        #[test]
        fn arbitrary_text_does_not_panic(text in any::<String>()) {
            every_parser(&text);
        }

        #[test]
        fn lines_made_of_the_formats_pieces_do_not_panic(
            pieces in proptest::collection::vec(
                prop::sample::select(vec![
                    "at ", "(", ")", ":", ":line ", " in ", "\t", "\n", " ---> ", "Caused by: ",
                    "... ", " more", "File \"", "\", line ", ", in ", "goroutine 1 [running]:",
                    "panic: ", " +0x", "from ", ":in '", "'", "`", "stack backtrace:", "0: ",
                    "0x1 - ", "Traceback (most recent call last):", "9", "a.java", "é", "",
                    "--- End of inner exception stack trace ---", "Suppressed: ", "  ",
                ]),
                0..200,
            )
        ) {
            every_parser(&pieces.concat());
        }
    }
}
