// Package jsontype words, for an error message, the JSON type a Go value
// is read from: "max_tokens must be an integer", "max_body: want an
// integer, got a string". The gateway's request checks and the config file
// reader both say what a member or setting takes, and say it the same way,
// in JSON's terms rather than Go's (never "int64" or "[]string").
//
// It lives under router, as jsonenc does, because every package of the
// module may import router's (standard library only) and both server and
// cmd/modelrouter use it; server/internal would shut cmd out.
package jsontype

import (
	"reflect"
	"strings"
)

// Name names, with its article, the JSON type a value of Go type t is read
// from. A pointer is named by what it points to; a type JSON has no name
// for (an interface, a func) is "another type".
func Name(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another type"
}

// Value words, with its article, what encoding/json says a value of the
// wrong type was (UnmarshalTypeError.Value: "string", "array", "number",
// "number 1e99" for one out of range, which is quoted as it is).
func Value(v string) string {
	switch {
	case v == "array", v == "object":
		return "an " + v
	case strings.HasPrefix(v, "number "):
		return v
	}
	return "a " + v
}
