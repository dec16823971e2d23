//! Data for portability reaches the requester in both structured formats:
//! each CSV a system gives is also given as JSON (a list of records keyed by
//! the header), and each JSON as CSV (one row per record, nested fields as
//! dotted columns, lists kept as JSON in their cell).

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the file cannot be converted: {0}")]
pub struct ConvertError(String);

/// CSV (with a header row) to a JSON list of records.
pub fn csv_to_json(bytes: &[u8]) -> Result<Vec<u8>, ConvertError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| ConvertError(e.to_string()))?
        .clone();
    let mut records = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| ConvertError(e.to_string()))?;
        let mut record = Map::new();
        for (i, value) in row.iter().enumerate() {
            let key = headers
                .get(i)
                .map_or_else(|| format!("column_{}", i + 1), str::to_owned);
            record.insert(key, Value::String(value.to_owned()));
        }
        records.push(Value::Object(record));
    }
    serde_json::to_vec_pretty(&Value::Array(records)).map_err(|e| ConvertError(e.to_string()))
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        Value::Null => out.push((prefix.to_owned(), String::new())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

/// JSON (a record, or a list of records) to CSV: one row per record, the
/// union of their fields as columns (each record's in name order, fields
/// first seen in a later record added after).
pub fn json_to_csv(bytes: &[u8]) -> Result<Vec<u8>, ConvertError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ConvertError(e.to_string()))?;
    let records: Vec<Value> = match value {
        Value::Array(items) => items,
        other => vec![other],
    };
    let rows: Vec<Vec<(String, String)>> = records
        .iter()
        .map(|r| {
            let mut cells = Vec::new();
            match r {
                Value::Object(_) => flatten("", r, &mut cells),
                other => flatten("value", other, &mut cells),
            }
            cells
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for row in &rows {
        for (k, _) in row {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(&columns)
        .map_err(|e| ConvertError(e.to_string()))?;
    for row in rows {
        let line: Vec<&str> = columns
            .iter()
            .map(|c| {
                row.iter()
                    .find(|(k, _)| k == c)
                    .map_or("", |(_, v)| v.as_str())
            })
            .collect();
        writer
            .write_record(&line)
            .map_err(|e| ConvertError(e.to_string()))?;
    }
    writer.into_inner().map_err(|e| ConvertError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_becomes_a_list_of_records() {
        let json = csv_to_json(b"order,total\n1001,19.99\n1002,\"5,00\"\n").unwrap();
        let v: Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v[0]["order"], "1001");
        assert_eq!(v[1]["total"], "5,00");
        assert_eq!(v.as_array().unwrap().len(), 2);
    }

    #[test]
    fn json_becomes_rows_with_dotted_columns() {
        let csv = json_to_csv(
            br#"[{"name":"Ada","address":{"city":"London"},"tags":["a","b"]},{"name":"Bo","age":3}]"#,
        )
        .unwrap();
        let text = String::from_utf8(csv).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("address.city,name,tags,age"));
        assert_eq!(lines.next(), Some(r#"London,Ada,"[""a"",""b""]","#));
        assert_eq!(lines.next(), Some(",Bo,,3"));
        let single = String::from_utf8(json_to_csv(br#"{"a":1}"#).unwrap()).unwrap();
        assert_eq!(single, "a\n1\n");
        assert!(json_to_csv(b"{not json").is_err());
    }
}
