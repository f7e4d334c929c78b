package aircan

import (
	"encoding/json"
	"slices"
)

// confSchema is the JSON Schema of the run conf. Unknown keys are allowed
// everywhere (aircan_submit sends more than this pipeline reads). Secrets
// are refused: the conf is stored with the run.
const confSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "ckan_load conf",
  "description": "The conf ckanext-aircan's aircan_submit sends. Secrets (ckan_config.api_key, a ckan_datastore_postgres_url with a password) are refused because the conf is stored with the run: they come from the pipeline's configuration (the environment).",
  "type": "object",
  "required": ["resource"],
  "properties": {
    "resource": {
      "type": "object",
      "required": ["ckan_resource_id"],
      "properties": {
        "ckan_resource_id": {"type": "string", "minLength": 1, "description": "the resource whose DataStore table is loaded"},
        "path": {"type": ["string", "null"], "description": "http(s) URL or local file of the data; default the resource's url"},
        "format": {"type": ["string", "null"], "description": "CSV or TSV; default the resource's format"},
        "schema": {"type": ["object", "string", "null"], "description": "Frictionless Table Schema, as an object or a JSON string; default the resource's schema"},
        "package_id": {"type": ["string", "null"]},
        "datastore_append_or_update": {"$ref": "#/$defs/flag", "description": "keep the table: append, or upsert on datastore_unique_keys"},
        "datastore_unique_keys": {"type": ["array", "string", "null"], "items": {"type": "string", "minLength": 1}, "description": "unique key columns"},
        "dialect": {"type": ["object", "null"], "description": "datafactory extension: the CSV Dialect, e.g. {\"header\": false}"},
        "encoding": {"type": ["string", "null"], "description": "datafactory extension: the text encoding; default utf-8"}
      }
    },
    "ckan_config": {
      "type": "object",
      "properties": {
        "site_url": {"type": ["string", "null"], "pattern": "^(https?://[^/@]+(/.*)?)?$", "description": "the CKAN site; default the configured site"},
        "api_key": {"$ref": "#/$defs/noSecret", "description": "refused: the API key comes from the configuration (DATAFACTORY_CKAN_API_KEY)"},
        "ckan_datastore_postgres_url": {"type": ["string", "null"], "not": {"type": "string", "pattern": "://[^/@]*:[^/@]*@"}, "description": "ignored; with a password refused: the DataStore URL comes from the configuration (DATAFACTORY_CKAN_DATASTORE_URL)"},
        "aircan_load_with_postgres_copy": {"$ref": "#/$defs/flag", "description": "replace the table through the DataStore's PostgreSQL (COPY, atomic swap)"},
        "aircan_datastore_chunk_insert_rows_size": {"type": ["integer", "string", "null"], "minimum": 1, "pattern": "^\\s*[1-9][0-9]*\\s*$", "description": "records per datastore_upsert request; default 250"},
        "aircan_datastore_chunk_bytes": {"type": ["integer", "string", "null"], "minimum": 1024, "pattern": "^\\s*[1-9][0-9]{3,}\\s*$", "description": "datafactory extension: bytes of records per datastore_upsert request (keep below the proxy's body limit); default 921600 (900 KiB, under nginx's 1 MiB)"},
        "aircan_append_or_update_datastore": {"$ref": "#/$defs/flag"}
      }
    },
    "max_rejects": {"type": "integer", "minimum": 0, "description": "datafactory extension: fail when more rows are rejected; 0 allows any number"},
    "max_reject_ratio": {"type": "number", "minimum": 0, "maximum": 1, "description": "datafactory extension: fail, before the table is touched, when more than this share of the rows is rejected; default 0.5, 1 allows any share"}
  },
  "$defs": {
    "flag": {"type": ["boolean", "string", "null"]},
    "noSecret": {"enum": [null, "", "[redacted]"]}
  }
}`

// ConfSchema returns the JSON Schema of the run conf (draft 2020-12).
func ConfSchema() json.RawMessage { return slices.Clone(json.RawMessage(confSchema)) }
