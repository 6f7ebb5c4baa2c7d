package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// checkConfigKeys refuses what encoding/json lets through silently: a key
// written twice in one object (the decoder keeps the last, so the first
// provider entry or setting would vanish) and a field name in the wrong
// case (the decoder matches "Addr" to "addr", so a file that reads as
// wrong still works, and a later, stricter reader would break it).
func checkConfigKeys(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var errs []error
	walkJSONKeys(dec, "", func(path string, keys []string) {
		fields := configFields(path)
		seen := make(map[string]bool, len(keys))
		for _, k := range keys {
			name := strings.TrimPrefix(path+"."+k, ".")
			if seen[k] {
				errs = append(errs, fmt.Errorf("config: %s is given twice", name))
			}
			seen[k] = true
			if fields == nil || fields[k] {
				continue
			}
			for f := range fields {
				if strings.EqualFold(f, k) {
					errs = append(errs, fmt.Errorf("config: %s: keys are case-sensitive; write %q", name, f))
				}
			}
		}
	})
	return errors.Join(errs...)
}

// configFields is the set of field names an object at path may hold, or
// nil where its keys are names the user chooses (the providers map).
func configFields(path string) map[string]bool {
	switch {
	case path == "":
		return jsonFieldNames(reflect.TypeFor[serveFile]())
	case strings.HasPrefix(path, "providers.") && strings.Count(path, ".") == 1:
		return jsonFieldNames(reflect.TypeFor[fileProvider]())
	}
	return nil
}

func jsonFieldNames(t reflect.Type) map[string]bool {
	names := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
}

// walkJSONKeys calls visit with the keys of every object in the value dec
// reads next, in document order, and the dotted path of the object. It
// stops quietly at malformed JSON: the decoder proper reports that.
func walkJSONKeys(dec *json.Decoder, path string, visit func(path string, keys []string)) bool {
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	switch tok {
	case json.Delim('{'):
		var keys []string
		for dec.More() {
			kt, err := dec.Token()
			k, ok := kt.(string)
			if err != nil || !ok {
				return false
			}
			keys = append(keys, k)
			if !walkJSONKeys(dec, strings.TrimPrefix(path+"."+k, "."), visit) {
				return false
			}
		}
		visit(path, keys)
	case json.Delim('['):
		for dec.More() {
			if !walkJSONKeys(dec, path+"[]", visit) {
				return false
			}
		}
	default:
		return true
	}
	_, err = dec.Token() // the closing delimiter
	return err == nil
}
