//! The protobuf messages of an event file, written by hand from TF's `event.proto` and
//! `summary.proto` (only the fields this writer sets).

/// `tensorflow.Event`: one record of an event file.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Event {
    /// Seconds since the Unix epoch.
    #[prost(double, tag = "1")]
    pub wall_time: f64,
    /// The global step.
    #[prost(int64, tag = "2")]
    pub step: i64,
    /// What the event carries.
    #[prost(oneof = "What", tags = "3, 5, 6")]
    pub what: Option<What>,
}

/// `Event.what`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub(crate) enum What {
    /// The file's format version, written as the first event (`brain.Event:2`).
    #[prost(string, tag = "3")]
    FileVersion(String),
    /// Summary values.
    #[prost(message, tag = "5")]
    Summary(Summary),
    /// A session status change (`START` on resume, so TensorBoard drops later steps).
    #[prost(message, tag = "6")]
    SessionLog(SessionLog),
}

/// `tensorflow.SessionLog`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct SessionLog {
    /// `SessionLog.SessionStatus`: 1 is `START`.
    #[prost(int32, tag = "1")]
    pub status: i32,
}

/// `SessionLog.SessionStatus.START`.
pub(crate) const SESSION_START: i32 = 1;

/// `tensorflow.Summary`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Summary {
    /// The values.
    #[prost(message, repeated, tag = "1")]
    pub value: Vec<SummaryValue>,
}

/// `tensorflow.Summary.Value`: the TF1 `simple_value` scalar or a histogram (two members of
/// TF's `oneof value`; the one set is always written, 0.0 included).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct SummaryValue {
    /// The tag, e.g. `loss`.
    #[prost(string, tag = "1")]
    pub tag: String,
    /// The scalar value.
    #[prost(float, optional, tag = "2")]
    pub simple_value: Option<f32>,
    /// A histogram.
    #[prost(message, optional, tag = "5")]
    pub histo: Option<HistogramProto>,
}

/// `tensorflow.HistogramProto`: each bucket `i` counts the values in
/// `(bucket_limit[i - 1], bucket_limit[i]]`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct HistogramProto {
    #[prost(double, tag = "1")]
    pub min: f64,
    #[prost(double, tag = "2")]
    pub max: f64,
    #[prost(double, tag = "3")]
    pub num: f64,
    #[prost(double, tag = "4")]
    pub sum: f64,
    #[prost(double, tag = "5")]
    pub sum_squares: f64,
    #[prost(double, repeated, tag = "6")]
    pub bucket_limit: Vec<f64>,
    #[prost(double, repeated, tag = "7")]
    pub bucket: Vec<f64>,
}

impl Event {
    /// The first event of every file.
    pub fn file_version(wall_time: f64) -> Event {
        Event {
            wall_time,
            step: 0,
            what: Some(What::FileVersion("brain.Event:2".to_owned())),
        }
    }

    /// TF's `SessionLog.START` at `step`: TensorBoard discards the events of this run with a
    /// step at or after it that were written before (the steps a resumed run repeats).
    pub fn session_start(wall_time: f64, step: i64) -> Event {
        Event {
            wall_time,
            step,
            what: Some(What::SessionLog(SessionLog {
                status: SESSION_START,
            })),
        }
    }

    /// A one-value scalar summary.
    pub fn scalar(wall_time: f64, step: i64, tag: &str, value: f32) -> Event {
        let value = SummaryValue {
            tag: tag.to_owned(),
            simple_value: Some(value),
            histo: None,
        };
        Event::summary(wall_time, step, value)
    }

    /// A histogram summary.
    pub fn histogram(wall_time: f64, step: i64, tag: &str, histo: HistogramProto) -> Event {
        let value = SummaryValue {
            tag: tag.to_owned(),
            simple_value: None,
            histo: Some(histo),
        };
        Event::summary(wall_time, step, value)
    }

    fn summary(wall_time: f64, step: i64, value: SummaryValue) -> Event {
        Event {
            wall_time,
            step,
            what: Some(What::Summary(Summary { value: vec![value] })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn scalar_event_uses_tf_field_numbers() {
        let bytes = Event::scalar(0.0, 3, "a", 1.0).encode_to_vec();
        // Same bytes as TensorBoard 2.21 `event_pb2.Event` serializes.
        // step (2, varint) = 3; summary (5, len 10) { value (1, len 8) { tag (1) "a", simple_value (2, fixed32) 1.0 } }
        let expected = [
            0x10, 3, 0x2a, 10, 0x0a, 8, 0x0a, 1, b'a', 0x15, 0, 0, 0x80, 0x3f,
        ];
        assert_eq!(bytes, expected);
    }

    #[test]
    fn a_zero_scalar_is_written() {
        // TensorBoard drops a value whose `oneof value` is unset: 0.0 must be on the wire.
        let bytes = Event::scalar(0.0, 3, "a", 0.0).encode_to_vec();
        assert_eq!(&bytes[bytes.len() - 5..], [0x15, 0, 0, 0, 0]);
    }

    #[test]
    fn session_start_event_uses_tf_field_numbers() {
        // step (2, varint) = 5; session_log (6, len 2) { status (1, varint) = START (1) }
        let bytes = Event::session_start(0.0, 5).encode_to_vec();
        assert_eq!(bytes, [0x10, 5, 0x32, 2, 0x08, 1]);
    }

    #[test]
    fn file_version_event_uses_field_3() {
        let bytes = Event::file_version(0.0).encode_to_vec();
        assert_eq!(bytes[0], 0x1a);
        assert_eq!(&bytes[2..], b"brain.Event:2");
    }
}
