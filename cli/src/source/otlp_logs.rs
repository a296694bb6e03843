//! The OpenTelemetry Collector's `file` exporter for logs: OTLP JSON `LogsData`, one document
//! per line (`{"resourceLogs": [{"resource": ..., "scopeLogs": [{"logRecords": [...]}]}]}`).
//! A collector that tails a service's log file (its `filelog` receiver) puts each line in a
//! record's `body` as a string: the line the service wrote, read here as if from the file.
//! A record that tracefault's runtime exported for a report (`tracefault.report`) carries the
//! report's JSON line in [`keys::REPORT_LINE`]: that line is read, not the body. A record
//! whose body is not text is another program's, counted as not ours.

use serde::Deserialize;
use serde_json::Value;
use std::io::Read;
use tracefault_report::keys;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LogsData {
    resource_logs: Vec<ResourceLogs>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ResourceLogs {
    resource: Resource,
    scope_logs: Vec<ScopeLogs>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Resource {
    attributes: Vec<KeyValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ScopeLogs {
    log_records: Vec<LogRecord>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LogRecord {
    body: Option<Value>,
    attributes: Vec<KeyValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct KeyValue {
    key: String,
    value: Option<Value>,
}

/// What reading gave besides the lines.
#[derive(Debug, Default)]
pub struct LogsRead {
    pub documents: u64,
    /// Records whose body is not text: no line of a program's.
    pub not_text: u64,
    /// A last document cut short (the collector still writing it).
    pub cut: u64,
}

/// Every record's body that is text, with its resource's `service.name`.
pub fn read_lines(
    input: impl Read,
    mut each: impl FnMut(&str, Option<&str>),
) -> anyhow::Result<LogsRead> {
    let documents = serde_json::Deserializer::from_reader(input).into_iter::<LogsData>();
    let mut read = LogsRead::default();
    for document in documents {
        let document = match document {
            Ok(document) => document,
            Err(error) if error.is_eof() => {
                read.cut += 1;
                break;
            }
            Err(error) => return Err(anyhow::Error::new(error).context("not OTLP JSON logs")),
        };
        read.documents += 1;
        for resource in document.resource_logs {
            let service = resource
                .resource
                .attributes
                .iter()
                .find(|attribute| attribute.key == keys::SERVICE_NAME)
                .and_then(|attribute| attribute.value.as_ref())
                .and_then(|value| value.get("stringValue"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let records = resource
                .scope_logs
                .into_iter()
                .flat_map(|scope| scope.log_records);
            for record in records {
                let report_line = record
                    .attributes
                    .iter()
                    .find(|attribute| attribute.key == keys::REPORT_LINE)
                    .and_then(|attribute| attribute.value.as_ref());
                match report_line
                    .or(record.body.as_ref())
                    .and_then(|value| value.get("stringValue"))
                    .and_then(Value::as_str)
                {
                    Some(line) => each(line.trim_end_matches(['\n', '\r']), service.as_deref()),
                    None => read.not_text += 1,
                }
            }
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_bodies_are_lines_of_their_resources_service() {
        // The shape of opentelemetry-proto's `examples/logs.json`, with a filelog body.
        let document = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"inventory"}}]},"scopeLogs":[{"scope":{"name":"my.library"},"logRecords":[{"timeUnixNano":"1544712660300000000","severityText":"Information","body":{"stringValue":"{\"timestamp\":\"2026-11-28T04:51:38Z\"}\n"}},{"body":{"kvlistValue":{"values":[]}}}]}]}]}"#;
        let mut lines = Vec::new();
        let read = read_lines(document.as_bytes(), |line, service| {
            lines.push((line.to_owned(), service.map(str::to_owned)));
        })
        .unwrap();
        assert_eq!(
            lines,
            [(
                r#"{"timestamp":"2026-11-28T04:51:38Z"}"#.to_owned(),
                Some("inventory".to_owned())
            )]
        );
        assert_eq!(read.documents, 1);
        assert_eq!(read.not_text, 1);
        let cut = &document[..document.len() / 2];
        assert_eq!(read_lines(cut.as_bytes(), |_, _| {}).unwrap().cut, 1);
    }

    #[test]
    fn a_reports_record_is_read_as_the_line_it_carries() {
        // As the runtime exports a report: its header as body, its JSON line as an attribute.
        let document = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"orders"}}]},"scopeLogs":[{"scope":{"name":"tracefault"},"logRecords":[{"eventName":"tracefault.report","severityText":"ERROR","body":{"stringValue":"app::Failure: it broke"},"attributes":[{"key":"exception.type","value":{"stringValue":"app::Failure"}},{"key":"tracefault.report.line","value":{"stringValue":"{\"target\":\"tracefault\",\"exception.type\":\"app::Failure\",\"exception.message\":\"it broke\"}"}}],"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}]}"#;
        let mut lines = Vec::new();
        read_lines(document.as_bytes(), |line, service| {
            lines.push((line.to_owned(), service.map(str::to_owned)));
        })
        .unwrap();
        assert_eq!(
            lines,
            [(
                r#"{"target":"tracefault","exception.type":"app::Failure","exception.message":"it broke"}"#
                    .to_owned(),
                Some("orders".to_owned())
            )]
        );
        let line = tracefault_report::read::LogLine::parse(lines[0].0.as_bytes()).unwrap();
        assert!(line.is_report());
    }
}
