// Package strictjson checks a JSON value for what encoding/json lets through silently: a
// key that repeats another of its object (compared as encoding/json compares keys to
// fields, case folded), nesting deeper than allowed, and top-level keys outside a list.
// The backpack's Ed-Fi import and audit file and the service's request bodies share it.
package strictjson
