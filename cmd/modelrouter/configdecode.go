package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/modelrouter/modelrouter/router/jsontype"
)

// readServeFileKeys decodes a config file. Unknown fields are an error (a
// typo would otherwise be silently ignored); ${VAR} references are expanded
// from getenv in every string value (durations too), and a reference to an
// unset variable is an error. Every problem found is returned at once:
// each field is decoded on its own, so one malformed value does not hide
// the next. When the file is valid JSON, the fields that did decode come
// back with the error, so that serve can list the invalid settings among
// them too; f.failed names the others.
//
// In a key field a ${VAR} is keyFile(VAR) when that is not "" (the key in
// VAR_FILE, keyFromFile), else getenv's; a nil keyFile reads getenv alone.
// Key fields only: VAR_FILE is how a secret is handed to a container, and
// other programs' VAR_FILE (SSL_CERT_FILE, a PEM file's path) must not turn
// a ${VAR} elsewhere into a file's content or a refusal to start. Each
// VAR_FILE is read once.
func readServeFileKeys(r io.Reader, getenv func(string) string, keyFile func(string) (string, error)) (*serveFile, error) {
	doc, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	var top json.RawMessage
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	// More() is false at a stray "}" or "]": only the end of the file
	// may follow the object.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("config: trailing data after the JSON object")
	}
	errs := []error{checkConfigKeys(doc)}
	f := &serveFile{failed: map[string]bool{}, varsNamed: map[string]bool{}}
	for _, m := range varRef.FindAllSubmatch(doc, -1) {
		f.varsNamed[string(m[1])] = true
	}
	fail := func(field string, err error) {
		f.failed[field] = true
		if field == "" {
			errs = append(errs, fmt.Errorf("config: %w", err))
			return
		}
		errs = append(errs, fmt.Errorf("config: %s: %w", field, err))
	}
	type fileKey struct {
		key string
		err error
	}
	fileKeys := map[string]fileKey{}
	lookupKey := func(name string) (string, error) {
		k, ok := fileKeys[name]
		if !ok {
			k.key, k.err = keyFile(name)
			fileKeys[name] = k
		}
		if k.err != nil || k.key != "" {
			return k.key, k.err
		}
		return getenv(name), nil
	}
	lookup := func(name string) (string, error) { return getenv(name), nil }
	expand := func(field string, s string, key bool) (string, bool) {
		look := lookup
		if key && keyFile != nil {
			look = lookupKey
		}
		v, err := expandVars(s, look)
		if err != nil {
			fail(field, err)
			return "", false
		}
		return v, true
	}
	keyField := func(field string, written bool) {
		if written {
			f.keysWritten = append(f.keysWritten, field)
		} else {
			f.keysNamed = append(f.keysNamed, field)
		}
	}
	decodeObject("", top, reflect.ValueOf(f).Elem(), decoder{fail, expand, keyField})
	if err := errors.Join(errs...); err != nil {
		return f, err
	}
	return f, nil
}

// decoder is what decodeObject reports problems to and expands ${VAR}
// references with.
type decoder struct {
	fail func(field string, err error)
	// expand's key says the field holds a key.
	expand func(field, s string, key bool) (string, bool)
	// keyField is told of each key field the file gives a value, and
	// whether that is written in the file itself, not only ${VAR}
	// references.
	keyField func(field string, written bool)
}

// decodeObject decodes the JSON object raw into the struct dst field by
// field, in the file's key order sorted by name. A field of map type whose
// values are structs (providers) is decoded entry by entry the same way.
func decodeObject(path string, raw json.RawMessage, dst reflect.Value, d decoder) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		d.fail(path, errors.New("want a JSON object"))
		return
	}
	byName := map[string]int{}
	for i := range dst.NumField() {
		if name, _, _ := strings.Cut(dst.Type().Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			byName[name] = i
		}
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		at := strings.TrimPrefix(path+"."+k, ".")
		i, ok := byName[k]
		if !ok {
			if !foldsToOneOf(k, byName) { // checkConfigKeys names the right case
				d.fail(path, fmt.Errorf("unknown field %q", k))
			}
			continue
		}
		fv := dst.Field(i)
		if fv.Kind() == reflect.Map && fv.Type().Elem().Kind() == reflect.Struct {
			decodeMap(at, fields[k], fv, d)
			continue
		}
		decodeField(at, fields[k], fv, d)
	}
}

func decodeMap(path string, raw json.RawMessage, dst reflect.Value, d decoder) {
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		d.fail(path, errors.New("want a JSON object"))
		return
	}
	if entries == nil { // null
		return
	}
	dst.Set(reflect.MakeMapWithSize(dst.Type(), len(entries)))
	for name, v := range entries {
		// A null entry is left out, as a null setting is: a template
		// that writes null for a provider it leaves unset must not
		// configure it (with no key, or no base_url).
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			continue
		}
		e := reflect.New(dst.Type().Elem()).Elem()
		decodeObject(path+"."+name, v, e, d)
		dst.SetMapIndex(reflect.ValueOf(name), e)
	}
}

// decodeField decodes one value. Its error names the kind of value the
// field wants and what the file holds there: the value itself only where
// the field's type says what was wanted (a duration), never for a type
// mismatch, so a key written into the wrong field is not echoed. A string
// value is shown as the file wrote it, before ${VAR} is expanded.
//
// null is "no value": the field keeps its default, as a file that leaves
// the field out does (templates write null for a setting they leave unset).
// It is checked first because json reads null into a string as "".
func decodeField(path string, raw json.RawMessage, dst reflect.Value, d decoder) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return
	}
	value := raw
	var s string
	if json.Unmarshal(raw, &s) == nil { // a string, of whatever field
		v, ok := d.expand(path, s, isSecret(dst.Type()))
		if !ok {
			return
		}
		if isSecret(dst.Type()) && strings.TrimSpace(s) != "" {
			d.keyField(path, strings.TrimSpace(varRef.ReplaceAllString(s, "")) != "")
		}
		value, _ = json.Marshal(v)
	}
	// Into a fresh value: json leaves a pointer field allocated (zero)
	// when its value fails, and the field must keep its default.
	v := reflect.New(dst.Type())
	err := json.Unmarshal(value, v.Interface())
	if err == nil {
		dst.Set(v.Elem())
		return
	}
	var want wantError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &want):
		d.fail(path, fmt.Errorf("%s, got %s", want, raw))
	case errors.As(err, &typ):
		d.fail(path, fmt.Errorf("want %s, got %s", jsontype.Name(typ.Type), jsontype.Value(typ.Value)))
	default:
		d.fail(path, err)
	}
}

// isSecret reports whether a field of type t holds a key.
func isSecret(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t == reflect.TypeFor[secret]()
}

// wantError is a decoding error that says what a field takes.
type wantError string

func (e wantError) Error() string { return string(e) }

func foldsToOneOf(k string, names map[string]int) bool {
	for n := range names {
		if strings.EqualFold(n, k) {
			return true
		}
	}
	return false
}
