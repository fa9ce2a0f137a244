//! Turns any Arrow batch into the batch convention of
//! [`crate::source::batch`]: flat `Utf8` / `List<Utf8>` columns named by
//! dotted paths.
//!
//! - struct fields: `parent.child`;
//! - list, large list, fixed-size list of scalars: one `List<Utf8>` column at
//!   `path[]` (one list per row, null where the list is null);
//! - list of structs: one `List<Utf8>` per leaf, `path[].leaf` (one entry per
//!   element; a null element or leaf is a null entry);
//! - nested lists collapse into one list per row: `path[][]`;
//! - map: a list of entries, `path[].key` and `path[].value` (so a map reads
//!   like a list of `{key, value}` structs);
//! - scalars are cast to `Utf8` (`arrow::compute::cast`, or arrow's display
//!   formatter for the few types cast cannot handle); dictionaries are
//!   unpacked;
//! - binary leaves (`binary`, `large_binary`, `fixed_size_binary`...) and
//!   null-typed leaves are not text: they are skipped and reported.
//!
//! The source type recorded on each column is the leaf's type
//! ([`type_name`]: `int64`, `utf8`, `timestamp[us]`, `decimal128(10,2)`...).

use crate::source::batch::{list_field, string_field};
use arrow::array::{
    Array, ArrayRef, AsArray, FixedSizeListArray, GenericListArray, ListArray, MapArray,
    OffsetSizeTrait, StringArray, StructArray,
};
use arrow::buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::error::ArrowError;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use std::sync::Arc;

/// A flattened batch, and the leaves that were left out with the reason.
pub fn flatten_batch(
    batch: &RecordBatch,
) -> Result<(RecordBatch, Vec<(String, String)>), ArrowError> {
    let mut out = Out::default();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        walk(field.name(), column, None, None, &mut out)?;
    }
    let schema = Arc::new(Schema::new(out.fields));
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    let flat = RecordBatch::try_new_with_options(schema, out.arrays, &options)?;
    Ok((flat, out.skipped))
}

/// Whether a leaf of this type can be rendered as text worth scanning, and
/// if not, why (`binary`, `boolean` is text but rarely personal data: the
/// caller decides; see [`skip_reason`]).
pub fn is_binary(dt: &DataType) -> bool {
    match dt {
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => true,
        DataType::Dictionary(_, v) => is_binary(v),
        _ => false,
    }
}

/// Why a leaf of this type is not worth reading for detection, if it is not.
pub fn skip_reason(dt: &DataType) -> Option<&'static str> {
    match dt {
        DataType::Boolean => Some("boolean"),
        DataType::Null => Some("null"),
        DataType::Dictionary(_, v) => skip_reason(v),
        dt if is_binary(dt) => Some("binary"),
        _ => None,
    }
}

/// A short, stable name for a leaf type (the inventory's column type).
pub fn type_name(dt: &DataType) -> String {
    use DataType::*;
    match dt {
        Utf8 | LargeUtf8 | Utf8View => "utf8".into(),
        Binary | LargeBinary | BinaryView => "binary".into(),
        FixedSizeBinary(n) => format!("fixed_size_binary({n})"),
        Int8 => "int8".into(),
        Int16 => "int16".into(),
        Int32 => "int32".into(),
        Int64 => "int64".into(),
        UInt8 => "uint8".into(),
        UInt16 => "uint16".into(),
        UInt32 => "uint32".into(),
        UInt64 => "uint64".into(),
        Float16 => "float16".into(),
        Float32 => "float32".into(),
        Float64 => "float64".into(),
        Boolean => "boolean".into(),
        Date32 => "date32".into(),
        Date64 => "date64".into(),
        Decimal32(p, s) => format!("decimal32({p},{s})"),
        Decimal64(p, s) => format!("decimal64({p},{s})"),
        Decimal128(p, s) => format!("decimal128({p},{s})"),
        Decimal256(p, s) => format!("decimal256({p},{s})"),
        Timestamp(unit, None) => format!("timestamp[{}]", unit_name(unit)),
        Timestamp(unit, Some(tz)) => format!("timestamp[{}, tz={tz}]", unit_name(unit)),
        Time32(unit) => format!("time32[{}]", unit_name(unit)),
        Time64(unit) => format!("time64[{}]", unit_name(unit)),
        Duration(unit) => format!("duration[{}]", unit_name(unit)),
        Interval(_) => "interval".into(),
        Dictionary(_, v) => type_name(v),
        Struct(_) => "struct".into(),
        List(_) | LargeList(_) | FixedSizeList(..) | ListView(_) | LargeListView(_) => {
            "list".into()
        }
        Map(..) => "map".into(),
        other => other.to_string().to_lowercase(),
    }
}

fn unit_name(unit: &arrow::datatypes::TimeUnit) -> &'static str {
    use arrow::datatypes::TimeUnit::*;
    match unit {
        Second => "s",
        Millisecond => "ms",
        Microsecond => "us",
        Nanosecond => "ns",
    }
}

#[derive(Default)]
struct Out {
    fields: Vec<Field>,
    arrays: Vec<ArrayRef>,
    skipped: Vec<(String, String)>,
}

/// Where the current array's entries sit relative to the batch's rows.
#[derive(Clone)]
struct Lists {
    /// Row `i` owns entries `offsets[i]..offsets[i + 1]` of the current array.
    offsets: Vec<i64>,
    /// Rows whose (outermost) list is null.
    nulls: Option<NullBuffer>,
}

impl Lists {
    /// Descends through a list level whose own offsets map its entries
    /// (`self`'s index space) to its child's entries.
    fn through(lists: Option<&Lists>, level: &[i64], level_nulls: Option<&NullBuffer>) -> Lists {
        match lists {
            None => Lists {
                offsets: level.to_vec(),
                nulls: level_nulls.cloned(),
            },
            Some(outer) => Lists {
                offsets: outer.offsets.iter().map(|&o| level[o as usize]).collect(),
                nulls: outer.nulls.clone(),
            },
        }
    }
}

fn offsets_i64<O: OffsetSizeTrait>(list: &GenericListArray<O>) -> Vec<i64> {
    list.value_offsets()
        .iter()
        .map(|o| o.as_usize() as i64)
        .collect()
}

/// Walks `array` (at `path`) down to its leaves. `lists`: the list levels
/// crossed so far; `nulls`: nulls inherited from enclosing structs, in the
/// array's own index space.
fn walk(
    path: &str,
    array: &ArrayRef,
    lists: Option<&Lists>,
    nulls: Option<&NullBuffer>,
    out: &mut Out,
) -> Result<(), ArrowError> {
    match array.data_type() {
        DataType::Struct(_) => {
            let s: &StructArray = array.as_struct();
            let nulls = NullBuffer::union(nulls, s.nulls());
            for (field, child) in s.fields().iter().zip(s.columns()) {
                let child_path = format!("{path}.{}", field.name());
                walk(&child_path, child, lists, nulls.as_ref(), out)?;
            }
            Ok(())
        }
        DataType::List(_) => {
            let l: &ListArray = array.as_list::<i32>();
            list_level(
                path,
                &offsets_i64(l),
                l.nulls(),
                nulls,
                l.values(),
                lists,
                out,
            )
        }
        DataType::LargeList(_) => {
            let l = array.as_list::<i64>();
            list_level(
                path,
                &offsets_i64(l),
                l.nulls(),
                nulls,
                l.values(),
                lists,
                out,
            )
        }
        DataType::FixedSizeList(_, size) => {
            let l: &FixedSizeListArray = array.as_fixed_size_list();
            let size = *size as i64;
            // A sliced fixed-size list has its values sliced too.
            let offsets: Vec<i64> = (0..=l.len() as i64).map(|i| i * size).collect();
            list_level(path, &offsets, l.nulls(), nulls, l.values(), lists, out)
        }
        DataType::Map(..) => {
            let m: &MapArray = array.as_map();
            let offsets: Vec<i64> = m.value_offsets().iter().map(|&o| o as i64).collect();
            let entries: ArrayRef = Arc::new(m.entries().clone());
            let level = merged_nulls(m.nulls(), nulls);
            let inner = Lists::through(lists, &offsets, level.as_ref());
            let entries = entries.as_struct();
            for (name, child) in [("key", entries.column(0)), ("value", entries.column(1))] {
                walk(
                    &format!("{path}[].{name}"),
                    child,
                    Some(&inner),
                    entries.nulls(),
                    out,
                )?;
            }
            Ok(())
        }
        dt => {
            if let Some(reason) = match dt {
                DataType::Null => Some("null"),
                dt if is_binary(dt) => Some("binary"),
                _ => None,
            } {
                out.skipped.push((path.to_string(), reason.to_string()));
                return Ok(());
            }
            leaf(path, array, lists, nulls, out)
        }
    }
}

fn merged_nulls(own: Option<&NullBuffer>, inherited: Option<&NullBuffer>) -> Option<NullBuffer> {
    NullBuffer::union(own, inherited)
}

#[allow(clippy::too_many_arguments)]
fn list_level(
    path: &str,
    offsets: &[i64],
    own_nulls: Option<&NullBuffer>,
    inherited: Option<&NullBuffer>,
    values: &ArrayRef,
    lists: Option<&Lists>,
    out: &mut Out,
) -> Result<(), ArrowError> {
    // A list null because its enclosing struct is null counts as a null list.
    let level_nulls = merged_nulls(own_nulls, inherited);
    let inner = Lists::through(lists, offsets, level_nulls.as_ref());
    walk(&format!("{path}[]"), values, Some(&inner), None, out)
}

/// Renders a scalar array as text.
fn to_utf8(array: &ArrayRef) -> Result<StringArray, ArrowError> {
    if let Ok(cast) = arrow::compute::cast(array, &DataType::Utf8) {
        return Ok(cast.as_string::<i32>().clone());
    }
    let options = arrow::util::display::FormatOptions::default().with_null("");
    let formatter = arrow::util::display::ArrayFormatter::try_new(array.as_ref(), &options)?;
    let values: Vec<Option<String>> = (0..array.len())
        .map(|i| array.is_valid(i).then(|| formatter.value(i).to_string()))
        .collect();
    Ok(StringArray::from(values))
}

fn leaf(
    path: &str,
    array: &ArrayRef,
    lists: Option<&Lists>,
    nulls: Option<&NullBuffer>,
    out: &mut Out,
) -> Result<(), ArrowError> {
    let source_type = type_name(array.data_type());
    let text = to_utf8(array)?;
    let text = match nulls {
        Some(n) if n.null_count() > 0 => {
            let (offsets, values, own) = text.into_parts();
            let merged = NullBuffer::union(own.as_ref(), Some(n));
            StringArray::try_new(offsets, values, merged)?
        }
        _ => text,
    };
    match lists {
        None => {
            out.fields.push(string_field(path, &source_type));
            out.arrays.push(Arc::new(text));
        }
        Some(lists) => {
            let offsets: Vec<i32> = lists
                .offsets
                .iter()
                .map(|&o| {
                    i32::try_from(o).map_err(|_| {
                        ArrowError::ComputeError(format!("list at {path} too large for one batch"))
                    })
                })
                .collect::<Result<_, _>>()?;
            let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
            let item = Arc::new(Field::new("item", DataType::Utf8, true));
            let list = ListArray::try_new(item, offsets, Arc::new(text), lists.nulls.clone())?;
            out.fields.push(list_field(path, &source_type));
            out.arrays.push(Arc::new(list));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{
        BinaryArray, DictionaryArray, Int32Array, Int64Array, ListBuilder, MapBuilder,
        StringBuilder, StructBuilder, TimestampMicrosecondArray,
    };
    use arrow::datatypes::Int32Type;

    fn list_values(a: &ArrayRef, row: usize) -> Option<Vec<Option<String>>> {
        let l = a.as_list::<i32>();
        if l.is_null(row) {
            return None;
        }
        let v = l.value(row);
        let v = v.as_string::<i32>();
        Some(
            (0..v.len())
                .map(|i| v.is_valid(i).then(|| v.value(i).to_string()))
                .collect(),
        )
    }

    #[test]
    fn scalars_dictionaries_and_binary() {
        let dict: DictionaryArray<Int32Type> = vec!["a", "b", "a"].into_iter().collect();
        let schema = Schema::new(vec![
            Field::new("id", DataType::Int64, true),
            Field::new("d", dict.data_type().clone(), true),
            Field::new("b", DataType::Binary, true),
            Field::new(
                "ts",
                DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None),
                true,
            ),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(Int64Array::from(vec![Some(1), None, Some(3)])),
                Arc::new(dict),
                Arc::new(BinaryArray::from(vec![&b"x"[..], b"y", b"z"])),
                Arc::new(TimestampMicrosecondArray::from(vec![
                    0, 1_000_000, 2_000_000,
                ])),
            ],
        )
        .unwrap();
        let (flat, skipped) = flatten_batch(&batch).unwrap();
        assert_eq!(skipped, vec![("b".to_string(), "binary".to_string())]);
        let schema = flat.schema();
        let names: Vec<_> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["id", "d", "ts"]);
        let id = flat.column(0).as_string::<i32>();
        assert_eq!((id.value(0), id.is_null(1)), ("1", true));
        assert_eq!(flat.column(1).as_string::<i32>().value(2), "a");
        assert_eq!(crate::source::batch::source_type(schema.field(1)), "utf8");
        assert_eq!(
            crate::source::batch::source_type(schema.field(2)),
            "timestamp[us]"
        );
        assert!(
            flat.column(2)
                .as_string::<i32>()
                .value(1)
                .starts_with("1970-01-01T00:00:01")
        );
    }

    #[test]
    fn nested_struct_list_map() {
        // address: struct{city}, contacts: list<struct{email, n: int32}>,
        // tags: list<utf8>, attrs: map<utf8, int32>, matrix: list<list<int32>>
        let address_fields = vec![Field::new("city", DataType::Utf8, true)];
        let mut address = StructBuilder::from_fields(address_fields, 3);
        for (city, valid) in [(Some("Paris"), true), (None, false), (Some("Rome"), true)] {
            address
                .field_builder::<StringBuilder>(0)
                .unwrap()
                .append_option(city);
            address.append(valid);
        }
        let contact_fields = vec![
            Field::new("email", DataType::Utf8, true),
            Field::new("n", DataType::Int32, true),
        ];
        let mut contacts = ListBuilder::new(StructBuilder::from_fields(contact_fields, 0));
        // row 0: two contacts; row 1: null list; row 2: empty list
        for (email, n) in [("a@x.com", 1), ("b@x.com", 2)] {
            let s = contacts.values();
            s.field_builder::<StringBuilder>(0)
                .unwrap()
                .append_value(email);
            s.field_builder::<arrow::array::Int32Builder>(1)
                .unwrap()
                .append_value(n);
            s.append(true);
        }
        contacts.append(true);
        contacts.append(false);
        contacts.append(true);
        let mut tags = ListBuilder::new(StringBuilder::new());
        tags.values().append_value("t1");
        tags.append(true);
        tags.append(true);
        tags.values().append_value("t2");
        tags.values().append_null();
        tags.append(true);
        let mut attrs = MapBuilder::new(
            None,
            StringBuilder::new(),
            arrow::array::Int32Builder::new(),
        );
        attrs.keys().append_value("k1");
        attrs.values().append_value(10);
        attrs.append(true).unwrap();
        attrs.append(false).unwrap();
        attrs.keys().append_value("k2");
        attrs.values().append_value(20);
        attrs.keys().append_value("k3");
        attrs.values().append_null();
        attrs.append(true).unwrap();
        let mut matrix = ListBuilder::new(ListBuilder::new(arrow::array::Int32Builder::new()));
        matrix.values().values().append_value(1);
        matrix.values().values().append_value(2);
        matrix.values().append(true);
        matrix.values().values().append_value(3);
        matrix.values().append(true);
        matrix.append(true);
        matrix.append(true);
        matrix.append(false);

        let columns: Vec<(&str, ArrayRef)> = vec![
            ("address", Arc::new(address.finish())),
            ("contacts", Arc::new(contacts.finish())),
            ("tags", Arc::new(tags.finish())),
            ("attrs", Arc::new(attrs.finish())),
            ("matrix", Arc::new(matrix.finish())),
            ("n", Arc::new(Int32Array::from(vec![1, 2, 3]))),
        ];
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let (flat, skipped) = flatten_batch(&batch).unwrap();
        assert!(skipped.is_empty());
        let schema = flat.schema();
        let names: Vec<_> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            names,
            [
                "address.city",
                "contacts[].email",
                "contacts[].n",
                "tags[]",
                "attrs[].key",
                "attrs[].value",
                "matrix[][]",
                "n"
            ]
        );
        let col = |name: &str| flat.column_by_name(name).unwrap().clone();
        let city = col("address.city");
        let city = city.as_string::<i32>();
        assert_eq!(
            (city.value(0), city.is_null(1), city.value(2)),
            ("Paris", true, "Rome")
        );
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            list_values(&col("contacts[].email"), 0),
            Some(vec![s("a@x.com"), s("b@x.com")])
        );
        assert_eq!(list_values(&col("contacts[].email"), 1), None);
        assert_eq!(list_values(&col("contacts[].email"), 2), Some(vec![]));
        assert_eq!(
            list_values(&col("contacts[].n"), 0),
            Some(vec![s("1"), s("2")])
        );
        assert_eq!(list_values(&col("tags[]"), 2), Some(vec![s("t2"), None]));
        assert_eq!(list_values(&col("attrs[].key"), 0), Some(vec![s("k1")]));
        assert_eq!(list_values(&col("attrs[].key"), 1), None);
        assert_eq!(
            list_values(&col("attrs[].key"), 2),
            Some(vec![s("k2"), s("k3")])
        );
        assert_eq!(
            list_values(&col("attrs[].value"), 2),
            Some(vec![s("20"), None])
        );
        assert_eq!(
            list_values(&col("matrix[][]"), 0),
            Some(vec![s("1"), s("2"), s("3")])
        );
        assert_eq!(list_values(&col("matrix[][]"), 1), Some(vec![]));
        assert_eq!(list_values(&col("matrix[][]"), 2), None);
        assert_eq!(
            crate::source::batch::source_type(schema.field_with_name("contacts[].n").unwrap()),
            "int32"
        );

        // A sliced batch flattens the same rows.
        let (sliced, _) = flatten_batch(&batch.slice(1, 2)).unwrap();
        let email = sliced.column_by_name("contacts[].email").unwrap().clone();
        assert_eq!(list_values(&email, 0), None);
        assert_eq!(list_values(&email, 1), Some(vec![]));
        let key = sliced.column_by_name("attrs[].key").unwrap().clone();
        assert_eq!(list_values(&key, 1), Some(vec![s("k2"), s("k3")]));
    }
}
