//! The fast path of `parse_example`: reads the features a spec asks for straight from an
//! Example's protobuf bytes, borrowing them, with no map of every feature. It handles the
//! canonical encoding TF writes (one packed list per feature, each key once). Anything else
//! (an unpacked list, a repeated key or list, a group, malformed bytes) returns `None`, and
//! the record goes through prost's full decoder instead, so both paths give the same result.

/// One feature's list, borrowed from the record.
#[derive(Clone, Copy, Debug)]
pub(super) enum ListRef<'a> {
    /// Packed little-endian floats.
    Floats(&'a [u8]),
    /// Packed varints, and how many.
    Ints(&'a [u8], usize),
    /// A `BytesList` message's bytes, and how many values it holds.
    Bytes(&'a [u8], usize),
}

impl<'a> ListRef<'a> {
    /// Values in the list.
    pub(super) fn len(&self) -> usize {
        match *self {
            ListRef::Floats(b) => b.len() / 4,
            ListRef::Ints(_, n) | ListRef::Bytes(_, n) => n,
        }
    }

    pub(super) fn floats(self) -> impl Iterator<Item = f32> + 'a {
        let bytes = match self {
            ListRef::Floats(b) => b,
            _ => &[],
        };
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
    }

    pub(super) fn ints(self) -> impl Iterator<Item = i64> + 'a {
        let mut bytes = match self {
            ListRef::Ints(b, _) => b,
            _ => &[],
        };
        std::iter::from_fn(move || varint(&mut bytes).map(|v| v as i64))
    }

    pub(super) fn bytes(self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut msg = match self {
            ListRef::Bytes(b, _) => b,
            _ => &[],
        };
        std::iter::from_fn(move || {
            loop {
                let (field, value) = field(&mut msg)?;
                if let (1, Value::Delimited(v)) = (field, value) {
                    return Some(v);
                }
            }
        })
    }
}

/// A field's value by wire type.
enum Value<'a> {
    Varint,
    Fixed,
    Delimited(&'a [u8]),
}

fn varint(buf: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = buf.split_first()?;
        *buf = rest;
        // prost refuses a tenth byte above 1 (bits past 64).
        if shift == 63 && byte > 1 {
            return None;
        }
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

fn take<'a>(buf: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = (buf.get(..n)?, buf.get(n..)?);
    *buf = rest;
    Some(head)
}

/// The next field: its number and value; `None` at the end or on anything unexpected.
fn field<'a>(buf: &mut &'a [u8]) -> Option<(u64, Value<'a>)> {
    let key = varint(buf)?;
    // prost's limits: a key fits in 32 bits, and field 0 does not exist.
    if key > u64::from(u32::MAX) || key >> 3 == 0 {
        return None;
    }
    let value = match key & 7 {
        0 => varint(buf).map(|_| Value::Varint)?,
        1 => take(buf, 8).map(|_| Value::Fixed)?,
        2 => {
            let n = usize::try_from(varint(buf)?).ok()?;
            Value::Delimited(take(buf, n)?)
        }
        5 => take(buf, 4).map(|_| Value::Fixed)?,
        _ => return None,
    };
    Some((key >> 3, value))
}

/// The fields of a message, in order; after the loop, `malformed` says whether it stopped at
/// bytes that are not a field.
struct Fields<'a> {
    rest: &'a [u8],
    malformed: bool,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (u64, Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let item = field(&mut self.rest);
        self.malformed = item.is_none();
        item
    }
}

fn fields(msg: &[u8]) -> Fields<'_> {
    Fields {
        rest: msg,
        malformed: false,
    }
}

/// The only length-delimited field `number` of a message (`Ok(None)`: absent); `Err` if it
/// appears twice, with another wire type, or the message is malformed.
fn single(msg: &[u8], number: u64) -> Result<Option<&[u8]>, ()> {
    let mut found = None;
    let mut all = fields(msg);
    for (n, value) in &mut all {
        match (n == number, value, found) {
            (false, _, _) => {}
            (true, Value::Delimited(v), None) => found = Some(v),
            _ => return Err(()),
        }
    }
    if all.malformed {
        return Err(());
    }
    Ok(found)
}

/// A map entry's key (field 1) and value (field 2), in one pass; either twice: `None`.
fn map_entry(entry: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let (mut key, mut value) = (None, None);
    let mut all = fields(entry);
    for (n, field) in &mut all {
        match (n, field) {
            (1, Value::Delimited(k)) if key.is_none() => key = Some(k),
            (2, Value::Delimited(v)) if value.is_none() => value = Some(v),
            (1 | 2, _) => return None,
            _ => {}
        }
    }
    (!all.malformed).then_some((key.unwrap_or(&[]), value))
}

/// A `Feature` message's list (`None`: no list set).
fn feature(msg: &[u8]) -> Option<Option<ListRef<'_>>> {
    let mut list = None;
    let mut all = fields(msg);
    for (n, value) in &mut all {
        let (1..=3, Value::Delimited(body), None) = (n, value, list) else {
            if (1..=3).contains(&n) {
                return None;
            }
            continue;
        };
        list = Some(match n {
            1 => ListRef::Bytes(body, count_bytes(body)?),
            2 => ListRef::Floats(packed(body).filter(|b| b.len() % 4 == 0)?),
            _ => {
                let ints = packed(body)?;
                ListRef::Ints(ints, count_varints(ints)?)
            }
        });
    }
    (!all.malformed).then_some(list)
}

/// The one packed field 1 of a float or int64 list (unpacked or repeated: `None`).
fn packed(msg: &[u8]) -> Option<&[u8]> {
    Some(single(msg, 1).ok()?.unwrap_or(&[]))
}

fn count_varints(mut ints: &[u8]) -> Option<usize> {
    let mut count = 0;
    while !ints.is_empty() {
        varint(&mut ints)?;
        count += 1;
    }
    Some(count)
}

fn count_bytes(msg: &[u8]) -> Option<usize> {
    let mut count = 0;
    let mut all = fields(msg);
    for (n, value) in &mut all {
        match (n, value) {
            (1, Value::Delimited(_)) => count += 1,
            (1, _) => return None,
            _ => {}
        }
    }
    (!all.malformed).then_some(count)
}

/// Calls `found(key, list)` for each feature of a serialized Example (`list` is `None` for a
/// feature without a list); `None` when the record needs the full decoder (see the module's
/// doc), or when `found` returns `false` (a key seen twice).
pub(super) fn scan_example<'a>(
    record: &'a [u8],
    mut found: impl FnMut(&'a str, Option<ListRef<'a>>) -> bool,
) -> Option<()> {
    let features = single(record, 1).ok()?.unwrap_or(&[]);
    let mut all = fields(features);
    for (n, value) in &mut all {
        let (1, Value::Delimited(entry)) = (n, value) else {
            if n == 1 {
                return None;
            }
            continue;
        };
        let (key, value) = map_entry(entry)?;
        let key = std::str::from_utf8(key).ok()?;
        let list = match value {
            Some(msg) => feature(msg)?,
            None => None,
        };
        if !found(key, list) {
            return None;
        }
    }
    (!all.malformed).then_some(())
}
