package upstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/modelrouter/modelrouter/router"
)

// decodeRequest reads a client's body (valid JSON, checked before routing)
// into the struct a translation works from. A member of the wrong type is
// the client's mistake: the error names it (Param, and its path in the
// message) and the JSON type it takes, worded as the checks before routing
// word theirs ("temperature must be a number"), not as encoding/json does,
// which names this package's Go types. api names the request in the one
// error that is not about a member.
func decodeRequest(raw []byte, dst any, api string) error {
	err := json.Unmarshal(raw, dst)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return &router.Error{Code: router.EInvalid, Param: te.Field,
			Message: fmt.Sprintf("%s must be %s", te.Field, jsonType(te.Type))}
	}
	return router.Errorf(router.EInvalid, "the %s request body must be a JSON object", api)
}

// jsonType names, as JSON has it, the type a Go value is read from.
func jsonType(t reflect.Type) string {
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
