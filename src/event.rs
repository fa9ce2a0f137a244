//! The event type every component meets at: Arrow batches of flattened
//! string columns, each field carrying the type its values had at the
//! source (see `source::batch` for how sources build them). Sources write
//! it and classification reads it; neither needs the other, so this one
//! convention lives apart from both.

use arrow::datatypes::{DataType, Field};
use std::collections::HashMap;
use std::sync::Arc;

/// Field metadata key holding the value's type at the source (`int64`, `varchar`, ...).
pub const SOURCE_TYPE_KEY: &str = "ferret.source_type";

/// A `Utf8` field at `path` whose values had `source_type` at the source.
pub fn string_field(path: &str, source_type: &str) -> Field {
    Field::new(path, DataType::Utf8, true).with_metadata(HashMap::from([(
        SOURCE_TYPE_KEY.to_string(),
        source_type.to_string(),
    )]))
}

/// A `List<Utf8>` field at `path` (a repeated value).
pub fn list_field(path: &str, source_type: &str) -> Field {
    let item = Field::new("item", DataType::Utf8, true);
    Field::new(path, DataType::List(Arc::new(item)), true).with_metadata(HashMap::from([(
        SOURCE_TYPE_KEY.to_string(),
        source_type.to_string(),
    )]))
}

/// The source type recorded on a field, or its Arrow type when none was.
pub fn source_type(field: &Field) -> String {
    field
        .metadata()
        .get(SOURCE_TYPE_KEY)
        .cloned()
        .unwrap_or_else(|| field.data_type().to_string())
}
